package dev.probekit.core.lifecycle;

/**
 * What a built-in participant knows beyond {@link DrainParticipant#inFlight()}: how many units have
 * finished since it was created, so the drain counts as drained what finished during it (work
 * accepted just before stop-accepting included), and what it dropped unrun at stop-accepting.
 */
interface Counted {

  /** Units of work finished since creation, only growing; -1 if unknown (then the drain counts drained as the fall of {@link DrainParticipant#inFlight()}). */
  long finished();

  /** {@return units of accepted work dropped unrun at stop-accepting; reported as abandoned} */
  default long dropped() {
    return 0;
  }
}

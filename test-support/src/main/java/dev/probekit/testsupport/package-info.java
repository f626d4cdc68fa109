/**
 * Test helpers shared by the modules' tests: child JVMs ({@link
 * dev.probekit.testsupport.ForkedJvm}, {@link dev.probekit.testsupport.ChildProcess}) and
 * captured {@code System.err} ({@link dev.probekit.testsupport.StderrCapture}).
 *
 * <p>Plain JDK code with no dependency, so every module's tests can use it, probe-core's
 * included; helpers that need Probekit types live in probe-core's test-jar ({@code
 * dev.probekit.core.testkit}). Not published: modules depend on it with {@code test} scope.
 */
package dev.probekit.testsupport;

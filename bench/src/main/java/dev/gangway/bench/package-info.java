/** Benchmarks of the placement engine: JMH decision latency and a seeded cluster scenario runner. */
package dev.gangway.bench;

package dev.gangway.sim.failure;

/**
 * One kind of fault, with what it takes to notice and to fix it.
 *
 * @param name e.g. "Faulty GPU", as in the Llama 3 table
 * @param nodeFault true for hardware on a node (the node is broken until repaired, and breaks any gang
 *     placed on it meanwhile); false for the job's own software (one attempt fails, the node is fine)
 * @param healthSignal a node health agent reports it (an XID, an ECC error, a link down) as a Fatal signal
 * @param healthReason what that signal says, e.g. "XID 79"
 * @param repairMedianHours median time until the node is back in service (log-normal, σ = 1); 0 for software
 * @param ratePerHour faults per node-hour (node faults) or per busy GPU-hour (software)
 */
public record Component(String name, String category, boolean nodeFault, Symptom symptom, boolean healthSignal,
    String healthReason, double repairMedianHours, double ratePerHour) {

  public Component withRate(double rate) {
    return new Component(name, category, nodeFault, symptom, healthSignal, healthReason, repairMedianHours, rate);
  }
}

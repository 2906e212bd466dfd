package dev.gangway.act;

/**
 * What Gangway does to a node it finds bad (a fatal health signal, or failures of several jobs there)
 * beyond keeping its own gangs off it, as the platform configured: taint it, cordon it, both or
 * neither. Both need node patch/update rights, which the chart grants only when one is on.
 */
public record NodeMarking(boolean taint, boolean cordon) {
  public static final NodeMarking NONE = new NodeMarking(false, false);

  public boolean any() {
    return taint || cordon;
  }
}

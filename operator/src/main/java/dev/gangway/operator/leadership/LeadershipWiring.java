package dev.gangway.operator.leadership;

import dev.gangway.leadership.Leadership;
import io.quarkiverse.operatorsdk.runtime.QuarkusConfigurationService;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * The one {@link Leadership} of this process. With leader election on (the prod profile) it follows
 * {@link GangwayLeaderElection}'s callbacks; with it off (tests, dev) this replica leads from startup.
 */
public class LeadershipWiring {
  private static final Logger LOG = Logger.getLogger(LeadershipWiring.class);

  @Produces
  @Singleton
  Leadership leadership() {
    return Leadership.elected();
  }

  void leadWithoutElection(@Observes StartupEvent event, QuarkusConfigurationService operatorConfig, Leadership leadership) {
    if (operatorConfig.getLeaderElectionConfiguration().isEmpty()) {
      LOG.info("Leader election is off: this replica leads");
      leadership.startLeading();
    }
  }
}

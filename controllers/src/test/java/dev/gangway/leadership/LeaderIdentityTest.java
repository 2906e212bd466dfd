package dev.gangway.leadership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gangway.leadership.LeaderIdentity.Address;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class LeaderIdentityTest {

  @Test
  void anIdentityCarriesTheAddressItWasMadeWith() {
    String identity = LeaderIdentity.of(LeaderIdentity.replicaName("gangway-7d9f-abc12", 4711), new Address("10.1.2.3", 8080));
    assertThat(identity).isEqualTo("gangway-7d9f-abc12-4711@10.1.2.3:8080");
    assertThat(LeaderIdentity.addressOf(identity)).contains(new Address("10.1.2.3", 8080));
  }

  @ParameterizedTest
  @CsvSource({
      "pod-1-42@10.0.0.7:8080,          10.0.0.7,          8080, http://10.0.0.7:8080",
      "pod-1-42@gangway-0.svc:9000,     gangway-0.svc,     9000, http://gangway-0.svc:9000",
      "pod-1-42@[fd00::7]:8080,         fd00::7,           8080, http://[fd00::7]:8080",
      "pod-1-42@fd00::7:8080,           fd00::7,           8080, http://[fd00::7]:8080",
      "user@host-1-42@127.0.0.1:18080,  127.0.0.1,         18080, http://127.0.0.1:18080",
  })
  void theAddressIsWhatFollowsTheLastAt(String identity, String host, int port, String baseUrl) {
    Address address = LeaderIdentity.addressOf(identity).orElseThrow();
    assertThat(address).isEqualTo(new Address(host, port));
    assertThat(address.baseUrl()).isEqualTo(baseUrl);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"gangway-4711", "pod-42@", "pod-42@10.0.0.7", "pod-42@10.0.0.7:http", "pod-42@10.0.0.7:0",
      "pod-42@10.0.0.7:70000", "pod-42@[fd00::7]8080", "pod-42@:8080"})
  void anIdentityWithoutAUsableAddressNamesNoLeader(String identity) {
    assertThat(LeaderIdentity.addressOf(identity)).isEmpty();
  }

  @Test
  void aBadAdvertiseAddressIsRefusedWithWhatIsWrong() {
    assertThatThrownBy(() -> Address.parse("10.0.0.7")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host:port");
    assertThatThrownBy(() -> Address.parse("10.0.0.7:x")).hasMessageContaining("numeric port");
    assertThatThrownBy(() -> Address.parse("10.0.0.7:0")).hasMessageContaining("between 1 and 65535");
  }
}

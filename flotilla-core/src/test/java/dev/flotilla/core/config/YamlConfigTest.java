package dev.flotilla.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class YamlConfigTest {

    record Item(String name, Duration timeout, ByteSize maxBody, int count) {
        Item {
            if (name == null) {
                throw new IllegalArgumentException("name is required");
            }
        }
    }

    record File(List<Item> items) {
    }

    @Test
    void readsKebabCaseKeysDurationsAndSizes() {
        File file = YamlConfig.read("f.yaml", "items:\n  - name: a\n    timeout: 250ms\n    max-body: 10MB\n    count: 2\n",
                File.class);
        assertThat(file.items()).containsExactly(new Item("a", Duration.ofMillis(250), new ByteSize(10 << 20), 2));
    }

    @Test
    void errorsNameTheFileLineAndKey() {
        assertThatThrownBy(() -> YamlConfig.read("f.yaml", "items:\n  - name: a\n    timeuot: 5s\n", File.class))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("f.yaml:3: items[0]: unknown key 'timeuot' (expected one of:")
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> YamlConfig.read("f.yaml", "items:\n  - name: a\n    timeout: 5x\n", File.class))
                .hasMessage("f.yaml:3: items[0].timeout: '5x' is not a duration (expected e.g. 250ms, 5s, 2m, 1h)");
        assertThatThrownBy(() -> YamlConfig.read("f.yaml", "items:\n  - timeout: 5s\n", File.class))
                .hasMessageStartingWith("f.yaml:").hasMessageEndingWith(" items[0]: name is required");
        assertThatThrownBy(() -> YamlConfig.read("f.yaml", "items: [\n", File.class))
                .hasMessageStartingWith("f.yaml:").hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> YamlConfig.read("f.yaml", "", File.class)).hasMessage("f.yaml: the file is empty");
    }
}

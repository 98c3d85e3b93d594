package dev.flotilla.core.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VersionRangeTest {

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource(delimiter = ';', value = {
            "1.2.3      ; 1.2.3 ; true",
            "1.2.3      ; 1.2.4 ; false",
            "^1.2       ; 1.9.0 ; true",
            "^1.2       ; 2.0.0 ; false",
            "^1.2       ; 1.1.9 ; false",
            "~1.2       ; 1.2.9 ; true",
            "~1.2       ; 1.3.0 ; false",
            ">=1.0 <2   ; 1.5.0 ; true",
            ">=1.0 <2   ; 2.0.0 ; false",
            ">= 1.0 < 2 ; 1.0.0 ; true",
            "1.x        ; 1.4.0 ; true",
            "1.x        ; 2.4.0 ; false",
            "*          ; 9.9.9 ; true",
            "^1 || ^3   ; 3.1.0 ; true",
            "^1 || ^3   ; 2.1.0 ; false",
            "1.0.0 - 2.0.0 ; 2.0.0 ; true",
            "^1.2       ; 1.5.0-rc.1 ; false",
    })
    void matchesAsNpmDoes(String range, String version, boolean expected) {
        assertThat(VersionRange.parse(range).matches(version)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"banana", "1.2.3.4", "^^1", ">=1.0 <two", "1.2 ; rm -rf /"})
    void refusesMalformedRangesNamingThem(String range) {
        assertThatThrownBy(() -> VersionRange.parse(range))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version range '" + range.trim() + "'");
    }

    @ParameterizedTest
    @CsvSource({"1.2.3, true", "0.0.1-alpha.1+build.5, true", "1.2, false", "v1.2.3, false", "one, false"})
    void knowsAFullSemanticVersion(String version, boolean valid) {
        assertThat(VersionRange.isValidVersion(version)).isEqualTo(valid);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "*"})
    void blankOrStarMeansAny(String range) {
        assertThat(VersionRange.parse(range)).isSameAs(VersionRange.ANY);
        assertThat(VersionRange.ANY.matches("0.0.1")).isTrue();
    }
}

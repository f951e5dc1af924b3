package dev.datastores.record;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** If-Match compares byte for byte: a condition names a version only when it is exactly that version's ETag. */
class EtagsPropertiesTest {

    @Property
    void everyEtagThisServiceWritesNamesItsOwnVersion(@ForAll @LongRange(min = 1, max = 999_999_999_999_999_999L) long version) {
        assertThat(Etags.versionOf(Etags.of(version))).isEqualTo(version);
    }

    @Property
    void aConditionNamesAVersionOnlyWhenItIsExactlyThatVersionsEtag(@ForAll String tag) {
        String header = "\"" + tag.replace("\"", "").replace(",", "") + "\"";
        Long version = Etags.versionOf(header);
        if (version != null && version != Etags.NO_VERSION) {
            assertThat(Etags.of(version)).isEqualTo(header.trim());
        }
    }

    @Property
    void aWeakOrPaddedFormOfAnEtagNeverMatches(@ForAll @LongRange(min = 1, max = 999_999_999L) long version) {
        String etag = Etags.of(version);
        assertThat(Etags.versionOf("W/" + etag)).isEqualTo(Etags.NO_VERSION);
        assertThat(Etags.versionOf("\"0" + version + "\"")).isEqualTo(Etags.NO_VERSION);
        assertThat(Etags.versionOf("\"+" + version + "\"")).isEqualTo(Etags.NO_VERSION);
    }
}

package dev.drain.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** drain-core is a real module that exports only its API and needs Micrometer only statically. */
class ModuleDescriptorTest {

  @Test
  void exportsOnlyTheApiAndRequiresOnlyTheJdkAndOptionalMicrometer() {
    ModuleReference module = ModuleFinder.of(Path.of("target/classes")).find("dev.drain.core")
        .orElseThrow();
    ModuleDescriptor descriptor = module.descriptor();

    assertThat(descriptor.exports().stream().map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("dev.drain.core", "dev.drain.core.micrometer");
    assertThat(descriptor.requires()).allSatisfy(requires -> {
      if (requires.name().equals("micrometer.core")) {
        assertThat(requires.modifiers()).contains(ModuleDescriptor.Requires.Modifier.STATIC);
      } else {
        assertThat(requires.name()).startsWith("java.");
      }
    });
    assertThat(descriptor.packages()).contains("dev.drain.core.internal");
  }
}

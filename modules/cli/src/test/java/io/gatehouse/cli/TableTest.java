package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.cli.output.Table;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TableTest {
  @Test
  void alignsColumnsToTheWidestCell() {
    StringWriter out = new StringWriter();

    new Table("NAME", "AGENTS")
        .row("demo", "2/2")
        .row("a-much-longer-name", null)
        .print(new PrintWriter(out));

    assertThat(out.toString().lines())
        .containsExactly(
            "NAME                AGENTS", "demo                2/2", "a-much-longer-name  -");
  }
}

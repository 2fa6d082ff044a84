package io.github.futures.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** CommandLines masks the values of options that look like secrets, and keeps everything else. */
class CommandLinesTest {

    /** -D options whose key contains a secret word lose their value, whatever the case; the name stays. */
    @Test
    void secretLookingSystemPropertiesAreMasked() {
        assertThat(CommandLines.sanitize("-Dapp.db.password=hunter2")).isEqualTo("-Dapp.db.password=******");
        assertThat(CommandLines.sanitize("-Dpwd=hunter2")).isEqualTo("-Dpwd=******");
        assertThat(CommandLines.sanitize("-Ddb.passwd=hunter2")).isEqualTo("-Ddb.passwd=******");
        assertThat(CommandLines.sanitize("-Dclient.SECRET=x1")).isEqualTo("-Dclient.SECRET=******");
        assertThat(CommandLines.sanitize("-Dgithub.token=ghp_1")).isEqualTo("-Dgithub.token=******");
        assertThat(CommandLines.sanitize("-Daws.credentials=abc")).isEqualTo("-Daws.credentials=******");
        assertThat(CommandLines.sanitize("-Dservice.apiKey=k1")).isEqualTo("-Dservice.apiKey=******");
        assertThat(CommandLines.sanitize("-Dservice.api-key=k1")).isEqualTo("-Dservice.api-key=******");
        assertThat(CommandLines.sanitize("-Dsigning.key=k1")).isEqualTo("-Dsigning.key=******");
    }

    /** Options that do not look like secrets keep their values. */
    @Test
    void otherOptionsAreKept() {
        String line = "-Xmx256m -Dapp.name=orders -XX:+UseSerialGC -Duser.timezone=UTC";
        assertThat(CommandLines.sanitize(line)).isEqualTo(line);
        assertThat(CommandLines.sanitize(List.of("-Xss1m", "-Dfoo=bar"))).containsExactly("-Xss1m", "-Dfoo=bar");
    }

    /** A JDBC URL keeps everything but its password. */
    @Test
    void jdbcUrlPasswordIsMasked() {
        assertThat(CommandLines.sanitize("-Dapp.url=jdbc:postgresql://db:5432/orders?user=app&password=hunter2&ssl=true"))
                .isEqualTo("-Dapp.url=jdbc:postgresql://db:5432/orders?user=app&password=******&ssl=true");
        assertThat(CommandLines.sanitize("-Ddb=jdbc:sqlserver://h;user=a;password=hunter2;encrypt=true"))
                .isEqualTo("-Ddb=jdbc:sqlserver://h;user=a;password=******;encrypt=true");
        assertThat(CommandLines.sanitize("-Dspring.datasource.url=jdbc:mysql://app:hunter2@db:3306/app"))
                .isEqualTo("-Dspring.datasource.url=jdbc:mysql://app:******@db:3306/app");
        assertThat(CommandLines.sanitize("-Durl=http://db:5432/app")).isEqualTo("-Durl=http://db:5432/app");
    }

    /** An agent's options are masked: the agent's jar stays. */
    @Test
    void javaagentOptionsAreMasked() {
        assertThat(CommandLines.sanitize("-javaagent:/opt/apm/agent.jar=apikey=s3cr3t,host=apm"))
                .isEqualTo("-javaagent:/opt/apm/agent.jar=******");
        assertThat(CommandLines.sanitize("-javaagent:/opt/apm/agent.jar")).isEqualTo("-javaagent:/opt/apm/agent.jar");
        assertThat(CommandLines.sanitize("-agentlib:jdwp=transport=dt_socket")).isEqualTo("-agentlib:jdwp=******");
    }

    /** spring.application.json loses its whole value, in a list (spaces included) and in a joined line. */
    @Test
    void springApplicationJsonIsMaskedWhole() {
        assertThat(CommandLines.sanitize(List.of("-Xmx1g", "-Dspring.application.json={\"db\": {\"password\": \"hunter2\"}}")))
                .containsExactly("-Xmx1g", "-Dspring.application.json=******");
        assertThat(CommandLines.sanitize("java -Dspring.application.json={\"db\": {\"password\": \"hunter2\"}} -Xmx1g Main"))
                .isEqualTo("java -Dspring.application.json=****** -Xmx1g Main");
    }

    /** A whole command line as one masked line: every secret goes, the rest stays in order. */
    @Test
    void commandLineIsMaskedAsOneLine() {
        String line = CommandLines.toLine(List.of("java", "-Dapp.db.password=hunter2", "-Xmx1g",
                "-javaagent:a.jar=token=t0k", "-cp", "app.jar", "Main"));
        assertThat(line).isEqualTo("java -Dapp.db.password=****** -Xmx1g -javaagent:a.jar=****** -cp app.jar Main");
        assertThat(CommandLines.sanitize((String) null)).isNull();
    }
}

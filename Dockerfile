# Build stage: the same Maven build as on a laptop, tests skipped (CI runs them).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY conf conf
COPY webroot webroot
RUN mvn -B -q -DskipTests package

# Runtime stage: a slim JRE, an unprivileged user, the fat jar and the documented defaults.
FROM eclipse-temurin:17-jre
RUN groupadd --system foyer && useradd --system --gid foyer --home-dir /app foyer \
    && mkdir -p /app/data && chown -R foyer:foyer /app
WORKDIR /app
COPY --from=build /src/target/foyer.jar /app/foyer.jar
COPY conf /app/conf
USER foyer
# Embedded PostgreSQL keeps its data here when FOYER_PG_URL is not set; mount a volume to keep it.
VOLUME ["/app/data"]
EXPOSE 8080
# bash's /dev/tcp avoids installing curl just for the health check
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080 && printf "GET /health/live HTTP/1.0\r\n\r\n" >&3 && head -1 <&3 | grep -q " 200 "'
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/foyer.jar"]
CMD ["run"]

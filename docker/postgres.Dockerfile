# PostgreSQL 15 from Debian's packages with the RUM access method, which khabar's search index
# uses: on the same Debian 12 base as khabar's image, so no registry is needed.
# Build from docker/:  docker build -f postgres.Dockerfile -t khabar-postgres:15 .
# The data lives in /var/lib/postgresql/data (a volume); on its first start the container
# makes the cluster with POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB.
FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 postgresql-15-rum \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -o postgres -g postgres -m 700 /var/lib/postgresql/data \
 && install -d -o postgres -g postgres -m 2775 /var/run/postgresql
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
USER postgres
EXPOSE 5432
VOLUME /var/lib/postgresql/data
# SIGINT: PostgreSQL's fast shutdown (sessions ended, a checkpoint, then exit)
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]

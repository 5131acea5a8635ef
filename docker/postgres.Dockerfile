# PostgreSQL 15 with the RUM access method, which khabar's search index uses
# (migrations/0004_search_newest.sql).
FROM postgres:15
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15-rum \
 && rm -rf /var/lib/apt/lists/*

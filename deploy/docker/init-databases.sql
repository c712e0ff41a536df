-- One PostgreSQL database per service (DESIGN.md §1: each service owns its database and never
-- reads another's tables). Mounted into the postgres container's /docker-entrypoint-initdb.d,
-- it runs once, as POSTGRES_USER, when the data volume is first initialised. The services
-- create their own tables (Alembic migrations on start).
CREATE DATABASE employment;
CREATE DATABASE training;
CREATE DATABASE social_insurance;
CREATE DATABASE labour_relations;
CREATE DATABASE gateway;

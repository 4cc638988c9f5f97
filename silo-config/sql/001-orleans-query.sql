-- 001: the query catalogue read by Orleans' ADO.NET providers (clustering, grain storage, reminders).
-- Each provider loads every (querykey, querytext) row at start-up; keys are matched exactly (case-sensitive).
-- The providers' own SQL names this table unquoted, so table and columns are lowercase and unquoted here.
-- Idempotent: safe to run any number of times. Needs PostgreSQL 15 or later (the storage file uses NULLS NOT DISTINCT).
-- Rule for every query text stored by the later files: one statement (or one function call), no ';',
-- parameters written @Name (bound by Npgsql by name, case-insensitively), no '::' casts (use CAST(... AS ...)).

CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64) NOT NULL,
    querytext text        NOT NULL,
    CONSTRAINT orleansquery_pkey PRIMARY KEY (querykey)
);

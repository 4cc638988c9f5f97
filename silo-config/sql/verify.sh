#!/usr/bin/env bash
# verify.sh: proves the SQL files in this folder against a throwaway PostgreSQL 15 server.
#
# It starts its own server in a temp folder, applies every NNN-*.sql file twice (idempotency), then runs every
# OrleansQuery key the way Npgsql does: @Name placeholders become $1..$n positional parameters (names matched
# case-insensitively) with the types Orleans' ADO.NET providers bind (int -> integer, long -> bigint,
# string -> text, byte[] -> bytea, DateTime -> timestamptz). It checks the rows and column names each key returns
# against the contract (/work/shared/ORLEANS-ADONET-CONTRACT.md), including version/ETag conflicts and races,
# re-applies the files over live data, then stops the server and deletes the folder.
#
# Usage: silo-config/sql/verify.sh        (exit code 0 = all checks passed)
# Env:   PGBIN (default /usr/lib/postgresql/15/bin), VERIFY_PORT (first port to try, default 55432),
#        KEEP=1 keeps the temp folder (the server is always stopped).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PSQL="$PGBIN/psql"
[[ -x $PSQL ]] || PSQL=$(command -v psql)

die() { echo "verify.sh: $*" >&2; exit 2; }
[[ -x $PGBIN/initdb && -x $PGBIN/pg_ctl ]] || die "PostgreSQL binaries not found in $PGBIN"
command -v perl >/dev/null || die "perl is required"

# initdb and the server refuse to run as root: run them as the postgres user then.
as_server_user() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

WORK=$(mktemp -d /tmp/orleans-sql-verify.XXXXXX) || die "mktemp failed"
[[ $(id -u) -eq 0 ]] && chown postgres: "$WORK"
chmod 700 "$WORK"
DATA="$WORK/data"
STARTED=0

cleanup() {
    if [[ $STARTED -eq 1 ]]; then
        as_server_user "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 \
            || as_server_user "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1
    fi
    if [[ ${KEEP:-0} == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# A free TCP port on loopback (the checks themselves connect through the unix socket in $WORK).
PORT=${VERIFY_PORT:-55432}
while (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do PORT=$((PORT + 1)); done

echo "== starting PostgreSQL ($("$PGBIN/postgres" --version)) on port $PORT, data in $DATA"
as_server_user "$PGBIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --no-locale --no-sync >"$WORK/initdb.log" 2>&1 \
    || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
as_server_user "$PGBIN/pg_ctl" -D "$DATA" -l "$WORK/server.log" -w -t 60 \
    -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50" start >/dev/null \
    || { cat "$WORK/server.log" >&2; die "pg_ctl start failed"; }
STARTED=1

export PGHOST="$WORK" PGPORT="$PORT" PGUSER=postgres PGTZ=UTC PGOPTIONS="-c client_min_messages=warning"
"$PSQL" -X -q -d postgres -c "CREATE DATABASE verify" || die "createdb failed"
export PGDATABASE=verify
sql() { "$PSQL" -X -q -v ON_ERROR_STOP=1 -At "$@"; }

apply_all() {
    local f
    for f in "$HERE"/[0-9][0-9][0-9]-*.sql; do
        sql -f "$f" >/dev/null || die "applying $(basename "$f") failed (pass $1)"
    done
}
echo "== applying scripts twice"
apply_all 1
apply_all 2
echo "   applied: $(cd "$HERE" && echo [0-9][0-9][0-9]-*.sql)"

PASS=0
FAIL=0
ok()   { PASS=$((PASS + 1)); echo "  ok   $1"; }
bad()  { FAIL=$((FAIL + 1)); echo "  FAIL $1"; [[ -n ${2:-} ]] && printf '%s\n' "$2" | sed 's/^/         /'; }
is()   { if [[ $2 == "$3" ]]; then ok "$1"; else bad "$1" "expected: $(printf '%q' "$3")"$'\n'"actual:   $(printf '%q' "$2")"; fi; }

# ---------------------------------------------------------------------------------------------------------
# What each provider binds for each key (names exactly as the provider adds them). A test must pass exactly
# these, so a query text that used anything else would fail as it would under Npgsql.
declare -A BINDS=(
    [InsertMembershipVersionKey]="DeploymentId"
    [MembershipReadRowKey]="DeploymentId Address Port Generation"
    [MembershipReadAllKey]="DeploymentId"
    [InsertMembershipKey]="DeploymentId Address Port Generation SiloName HostName Status ProxyPort StartTime IAmAliveTime Version"
    [UpdateMembershipKey]="DeploymentId Address Port Generation Status SuspectTimes IAmAliveTime Version"
    [UpdateIAmAlivetimeKey]="DeploymentId Address Port Generation IAmAliveTime"
    [GatewaysQueryKey]="DeploymentId Status"
    [DeleteMembershipTableEntriesKey]="DeploymentId"
    [CleanupDefunctSiloEntriesKey]="DeploymentId IAmAliveTime"
    [CleanupDefunctSiloEntryKey]="DeploymentId Address Port Generation SuspectTimes StartTime IAmAliveTime"
    [ReadFromStorageKey]="GrainIdHash GrainIdN0 GrainIdN1 GrainTypeHash GrainTypeString GrainIdExtensionString ServiceId"
    [WriteToStorageKey]="GrainIdHash GrainIdN0 GrainIdN1 GrainTypeHash GrainTypeString GrainIdExtensionString ServiceId GrainStateVersion PayloadBinary"
    [ClearStorageKey]="GrainIdHash GrainIdN0 GrainIdN1 GrainTypeHash GrainTypeString GrainIdExtensionString ServiceId GrainStateVersion"
    [DeleteStorageKey]="GrainIdHash GrainIdN0 GrainIdN1 GrainTypeHash GrainTypeString GrainIdExtensionString ServiceId GrainStateVersion"
    [ReadReminderRowsKey]="ServiceId GrainId"
    [ReadReminderRowKey]="ServiceId GrainId ReminderName"
    [ReadRangeRows1Key]="ServiceId BeginHash EndHash"
    [ReadRangeRows2Key]="ServiceId BeginHash EndHash"
    [UpsertReminderRowKey]="ServiceId GrainId ReminderName StartTime Period GrainHash"
    [DeleteReminderRowKey]="ServiceId GrainId ReminderName Version"
    [DeleteReminderRowsKey]="ServiceId"
)
REQUIRED_KEYS="InsertMembershipVersionKey MembershipReadRowKey MembershipReadAllKey InsertMembershipKey UpdateMembershipKey
UpdateIAmAlivetimeKey GatewaysQueryKey DeleteMembershipTableEntriesKey CleanupDefunctSiloEntriesKey
WriteToStorageKey ReadFromStorageKey ClearStorageKey
ReadReminderRowsKey ReadReminderRowKey ReadRangeRows1Key ReadRangeRows2Key UpsertReminderRowKey DeleteReminderRowKey DeleteReminderRowsKey"

# Columns the provider reads by name (lowercase names match through Npgsql's case-insensitive fallback).
MEMBER_COLS="version address port generation siloname hostname status proxyport suspecttimes starttime iamalivetime"
REMINDER_COLS="grainid remindername starttime period version"
declare -A COLS=(
    [MembershipReadRowKey]=$MEMBER_COLS [MembershipReadAllKey]=$MEMBER_COLS
    [GatewaysQueryKey]="address proxyport generation"
    [ReadFromStorageKey]="payloadbinary version" [WriteToStorageKey]="newgrainstateversion"
    [ReadReminderRowsKey]=$REMINDER_COLS [ReadReminderRowKey]=$REMINDER_COLS
    [ReadRangeRows1Key]=$REMINDER_COLS [ReadRangeRows2Key]=$REMINDER_COLS
    [UpsertReminderRowKey]="version"
)
# Results read by position 0 (booleans must have exactly one column).
declare -A ONE_COLUMN=([InsertMembershipVersionKey]=1 [InsertMembershipKey]=1 [UpdateMembershipKey]=1
    [DeleteReminderRowKey]=1 [ClearStorageKey]=1 [DeleteStorageKey]=1)

# Turns a query text into PREPARE/EXECUTE the way Npgsql binds named parameters.
# Args: query-text-file, then triples NAME TYPE SQL-LITERAL.
BUILD_PL='
use strict; use warnings;
my ($file, @a) = @ARGV;
open(my $fh, "<", $file) or die "cannot read $file\n";
my $text = do { local $/; <$fh> };
die "query text is empty\n" unless $text =~ /\S/;
die "query text contains a semicolon (Npgsql would split it into several statements)\n" if $text =~ /;/;
die "query text contains a colon (Npgsql also treats :Name as a placeholder; use CAST)\n" if $text =~ /:/;
die "query text contains a positional \$ parameter or dollar quote\n" if $text =~ /\$/;
my %bound;
while (@a) { my ($n, $t, $v) = splice(@a, 0, 3); $bound{lc $n} = [$t, $v]; }
my (%pos, @types, @vals);
$text =~ s{(?<![\w@])\@([A-Za-z_]\w*)}{
    my $k = lc $1;
    die "placeholder \@$1 is not bound by the provider for this key\n" unless exists $bound{$k};
    unless (exists $pos{$k}) { push @types, $bound{$k}[0]; push @vals, $bound{$k}[1]; $pos{$k} = scalar @types; }
    "\$" . $pos{$k};
}ge;
print "PREPARE q", (@types ? "(" . join(", ", @types) . ")" : ""), " AS", $text, ";\n";
print "EXECUTE q", (@vals ? "(" . join(", ", @vals) . ")" : ""), ";\n";
print "DEALLOCATE q;\n";
'

# build KEY triples... -> writes the SQL to stdout (fails if the key is missing or the text breaks a rule).
build() {
    local key=$1; shift
    local names=() i
    for ((i = 1; i <= $#; i += 3)); do names+=("${!i}"); done
    local want got
    want=$(tr ' \n' '\n\n' <<<"${BINDS[$key]:-}" | grep -v '^$' | sort)
    got=$(printf '%s\n' "${names[@]}" | sort)
    [[ $want == "$got" ]] || { echo "test bug: parameters for $key differ from what the provider binds" >&2; return 1; }
    sql -c "SELECT querytext FROM orleansquery WHERE querykey = '$key'" >"$WORK/q.txt" || return 1
    [[ -s $WORK/q.txt ]] || { echo "query key $key is missing" >&2; return 1; }
    perl -e "$BUILD_PL" "$WORK/q.txt" "$@"
}

# run KEY triples... -> header line plus rows, '|' separated, NULL shown as NULL.
run() {
    local key=$1 script
    echo "$key" >>"$WORK/seen-keys"   # (a file: run is often called inside $(...))
    script=$(build "$@") || return 1
    "$PSQL" -X -q -v ON_ERROR_STOP=1 -A -F '|' -P footer=off -P null=NULL <<<"$script" 2>&1
}

# check DESCRIPTION EXPECTED KEY triples...
check() {
    local desc=$1 expected=$2 key=$3; shift 2
    local out
    if ! out=$(run "$@" 2>&1); then bad "$desc [$key]" "error: $out"; return; fi
    local header=${out%%$'\n'*} c
    for c in ${COLS[$key]:-}; do
        if ! tr '|' '\n' <<<"$header" | grep -qix "$c"; then bad "$desc [$key]" "result lacks column '$c': $header"; return; fi
    done
    if [[ -n ${ONE_COLUMN[$key]:-} && $header == *'|'* ]]; then bad "$desc [$key]" "expected exactly one column: $header"; return; fi
    is "$desc [$key]" "$out" "$expected"
}

# Parameter helpers (sample values as SQL literals).
T0="'2024-05-01 10:00:00+00'"   # start time
T1="'2024-05-01 10:00:30+00'"   # heartbeat
T2="'2024-05-01 10:01:00+00'"   # later heartbeat
silo() { # deployment address port generation
    S=(DeploymentId text "'$1'" Address text "'$2'" Port integer "$3" Generation integer "$4")
}
insert_member() { # expected desc deployment address port generation status proxyport version
    silo "$3" "$4" "$5" "$6"
    check "$2" $'succeeded\n'"$1" InsertMembershipKey "${S[@]}" SiloName text "'silo-$6'" HostName text "'host-a'" \
        Status integer "$7" ProxyPort integer "$8" StartTime timestamptz "$T0" IAmAliveTime timestamptz "$T1" Version integer "$9"
}
table_version() { sql -c "SELECT version FROM orleans_membership_version WHERE deploymentid = '$1'"; }

echo "== clustering"
HDR_ALL='version|deploymentid|address|port|generation|siloname|hostname|status|proxyport|suspecttimes|starttime|iamalivetime'
check "read-all without a version row: zero rows (provider fails until a silo creates it)" "$HDR_ALL" MembershipReadAllKey DeploymentId text "'c1'"
check "create version row: 1" $'created\n1' InsertMembershipVersionKey DeploymentId text "'c1'"
check "create version row again: one row, 0, nothing changed" $'created\n0' InsertMembershipVersionKey DeploymentId text "'c1'"
is "version row starts at 0" "$(table_version c1)" "0"
check "read-all with no members: one row, version 0, NULL member columns" \
    "$HDR_ALL"$'\n0|c1|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL' MembershipReadAllKey DeploymentId text "'c1'"
silo c1 10.0.0.1 11111 1
check "read-row of a missing member: version row with NULL member columns" \
    "$HDR_ALL"$'\n0|c1|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL' MembershipReadRowKey "${S[@]}"
insert_member 1 "insert member 1 with version 0" c1 10.0.0.1 11111 1 2 30000 0
is "insert raised the version to 1" "$(table_version c1)" "1"
insert_member 0 "insert member 2 with stale version 0 refused" c1 10.0.0.2 11111 1 2 30000 0
insert_member 1 "insert member 2 with version 1" c1 10.0.0.2 11111 1 3 30000 1
insert_member 0 "insert duplicate member 1 with the current version refused" c1 10.0.0.1 11111 1 2 30000 2
is "refused inserts left version at 2" "$(table_version c1)" "2"
insert_member 1 "insert IPv6 member with version 2" c1 "fe80::1" 11111 7 3 0 2
silo c1 10.0.0.1 11111 1
check "read-row returns the member with the table version" \
    "$HDR_ALL"$'\n3|c1|10.0.0.1|11111|1|silo-1|host-a|2|30000|NULL|2024-05-01 10:00:00+00|2024-05-01 10:00:30+00' \
    MembershipReadRowKey "${S[@]}"
check "read-all returns every member with the table version" \
    "$HDR_ALL"$'\n3|c1|10.0.0.1|11111|1|silo-1|host-a|2|30000|NULL|2024-05-01 10:00:00+00|2024-05-01 10:00:30+00'$'\n3|c1|10.0.0.2|11111|1|silo-1|host-a|3|30000|NULL|2024-05-01 10:00:00+00|2024-05-01 10:00:30+00'$'\n3|c1|fe80::1|11111|7|silo-7|host-a|3|0|NULL|2024-05-01 10:00:00+00|2024-05-01 10:00:30+00' \
    MembershipReadAllKey DeploymentId text "'c1'"
SUSPECT="'10.0.0.2:11111@1,2024-05-01 10:00:40.123 GMT|10.0.0.3:11111@1,2024-05-01 10:00:41.000 GMT'"
check "update with stale version 2 refused" $'succeeded\n0' UpdateMembershipKey "${S[@]}" Status integer 3 \
    SuspectTimes text "$SUSPECT" IAmAliveTime timestamptz "$T2" Version integer 2
is "refused update changed nothing" "$(sql -c "SELECT status, suspecttimes IS NULL, iamalivetime FROM orleans_membership WHERE address = '10.0.0.1'")|$(table_version c1)" \
    "2|t|2024-05-01 10:00:30+00|3"
check "update with current version 3" $'succeeded\n1' UpdateMembershipKey "${S[@]}" Status integer 3 \
    SuspectTimes text "$SUSPECT" IAmAliveTime timestamptz "$T2" Version integer 3
is "update set status/suspecttimes/iamalivetime, kept the rest, version 4" \
    "$(sql -c "SELECT status, suspecttimes, iamalivetime, siloname, hostname, proxyport, starttime FROM orleans_membership WHERE address = '10.0.0.1'")|$(table_version c1)" \
    "3|10.0.0.2:11111@1,2024-05-01 10:00:40.123 GMT|10.0.0.3:11111@1,2024-05-01 10:00:41.000 GMT|2024-05-01 10:01:00+00|silo-1|host-a|30000|2024-05-01 10:00:00+00|4"
check "update SuspectTimes back to NULL" $'succeeded\n1' UpdateMembershipKey "${S[@]}" Status integer 3 \
    SuspectTimes text NULL IAmAliveTime timestamptz "$T2" Version integer 4
is "suspecttimes is NULL again, version 5" "$(sql -c "SELECT suspecttimes IS NULL FROM orleans_membership WHERE address = '10.0.0.1'")|$(table_version c1)" "t|5"
silo c1 10.9.9.9 11111 1
check "update of a missing member with the current version refused" $'succeeded\n0' UpdateMembershipKey "${S[@]}" Status integer 3 \
    SuspectTimes text NULL IAmAliveTime timestamptz "$T2" Version integer 5
is "version unchanged after the refused update" "$(table_version c1)" "5"
silo c1 10.0.0.1 11111 1
check "heartbeat forward" "" UpdateIAmAlivetimeKey "${S[@]}" IAmAliveTime timestamptz "'2024-05-01 10:05:00+00'"
is "heartbeat moved, version untouched" "$(sql -c "SELECT iamalivetime FROM orleans_membership WHERE address = '10.0.0.1'")|$(table_version c1)" "2024-05-01 10:05:00+00|5"
check "heartbeat backwards" "" UpdateIAmAlivetimeKey "${S[@]}" IAmAliveTime timestamptz "'2024-05-01 10:02:00+00'"
is "heartbeat never moves backwards" "$(sql -c "SELECT iamalivetime FROM orleans_membership WHERE address = '10.0.0.1'")" "2024-05-01 10:05:00+00"
insert_member 1 "insert a dead gateway" c1 10.0.0.4 11111 1 6 30000 5
check "gateways: Active members with ProxyPort > 0 only" $'address|proxyport|generation\n10.0.0.1|30000|1\n10.0.0.2|30000|1' \
    GatewaysQueryKey DeploymentId text "'c1'" Status integer 3
is "version 6 before cleanup" "$(table_version c1)" "6"

# Defunct-silo cleanup: rows written directly with old dates (cutoff 2024-04-24 = 7 days before 2024-05-01).
sql -c "INSERT INTO orleans_membership VALUES
 ('c1','10.1.0.1',1,1,'dead-old','h',6,0,NULL,'2024-04-01 00:00+00','2024-04-02 00:00+00'),
 ('c1','10.1.0.2',1,1,'dead-old-old-suspect','h',6,0,'10.1.0.9:1@1,2024-04-02 00:00:00.000 GMT','2024-04-01 00:00+00','2024-04-02 00:00+00'),
 ('c1','10.1.0.3',1,1,'dead-old-recent-suspect','h',6,0,'10.1.0.9:1@1,2024-04-02 00:00:00.000 GMT|10.1.0.8:1@1,2024-04-30 00:00:00.000 GMT','2024-04-01 00:00+00','2024-04-02 00:00+00'),
 ('c1','10.1.0.4',1,1,'dead-recent','h',6,0,NULL,'2024-04-01 00:00+00','2024-04-30 00:00+00'),
 ('c1','10.1.0.5',1,1,'active-old','h',3,0,NULL,'2024-04-01 00:00+00','2024-04-02 00:00+00'),
 ('c1','10.1.0.6',1,1,'dead-bad-suspect-date','h',6,0,'10.1.0.9:1@1,not a date','2024-04-01 00:00+00','2024-04-02 00:00+00'),
 ('c1','10.1.0.7',1,1,'dead-for-row-cleanup','h',6,0,'10.1.0.9:1@1,2024-04-02 00:00:00.000 GMT','2024-04-01 00:00+00','2024-04-02 00:00+00'),
 ('c1','10.1.0.8',1,1,'dead-for-row-cleanup-null','h',6,0,NULL,'2024-04-01 00:00+00','2024-04-02 00:00+00')" >/dev/null
silo c1 10.1.0.7 1 1
check "per-row cleanup with different SuspectTimes keeps the row" "" CleanupDefunctSiloEntryKey "${S[@]}" \
    SuspectTimes text "'other'" StartTime timestamptz "'2024-04-01 00:00+00'" IAmAliveTime timestamptz "'2024-04-02 00:00+00'"
check "per-row cleanup with a different IAmAliveTime keeps the row" "" CleanupDefunctSiloEntryKey "${S[@]}" \
    SuspectTimes text "'10.1.0.9:1@1,2024-04-02 00:00:00.000 GMT'" StartTime timestamptz "'2024-04-01 00:00+00'" IAmAliveTime timestamptz "'2024-04-02 00:00:01+00'"
is "row still there" "$(sql -c "SELECT count(*) FROM orleans_membership WHERE address = '10.1.0.7'")" "1"
check "per-row cleanup with the values read deletes the row" "" CleanupDefunctSiloEntryKey "${S[@]}" \
    SuspectTimes text "'10.1.0.9:1@1,2024-04-02 00:00:00.000 GMT'" StartTime timestamptz "'2024-04-01 00:00+00'" IAmAliveTime timestamptz "'2024-04-02 00:00+00'"
silo c1 10.1.0.8 1 1
check "per-row cleanup: NULL SuspectTimes matches NULL" "" CleanupDefunctSiloEntryKey "${S[@]}" \
    SuspectTimes text NULL StartTime timestamptz "'2024-04-01 00:00+00'" IAmAliveTime timestamptz "'2024-04-02 00:00+00'"
silo c1 10.1.0.5 1 1
check "per-row cleanup of a non-Dead row" "" CleanupDefunctSiloEntryKey "${S[@]}" \
    SuspectTimes text NULL StartTime timestamptz "'2024-04-01 00:00+00'" IAmAliveTime timestamptz "'2024-04-02 00:00+00'"
is "per-row cleanup deleted exactly the two matching Dead rows" \
    "$(sql -c "SELECT string_agg(address, ',' ORDER BY address) FROM orleans_membership WHERE address LIKE '10.1.%'")" \
    "10.1.0.1,10.1.0.2,10.1.0.3,10.1.0.4,10.1.0.5,10.1.0.6"
check "bulk cleanup with cutoff 2024-04-24" "" CleanupDefunctSiloEntriesKey DeploymentId text "'c1'" IAmAliveTime timestamptz "'2024-04-24 00:00+00'"
is "bulk cleanup removed old Dead rows without recent suspicion only" \
    "$(sql -c "SELECT string_agg(siloname, ',' ORDER BY address) FROM orleans_membership WHERE address LIKE '10.1.%'")" \
    "dead-old-recent-suspect,dead-recent,active-old,dead-bad-suspect-date"
is "cleanups left the version alone" "$(table_version c1)" "6"

# Limit: the version never passes int32 max (the provider reads it with Convert.ToInt32).
sql -c "INSERT INTO orleans_membership_version (deploymentid, version) VALUES ('cmax', 2147483647)" >/dev/null
insert_member 0 "insert at version 2147483647 refused (no overflow error)" cmax 10.0.0.1 1 1 3 0 2147483647

# Race: six writers send the same version; exactly one may win.
check "create version row for the race" $'created\n1' InsertMembershipVersionKey DeploymentId text "'race'"
for g in 1 2 3 4 5 6; do
    silo race 10.0.0.1 11111 "$g"
    script=$(build InsertMembershipKey "${S[@]}" SiloName text "'s'" HostName text "'h'" Status integer 3 ProxyPort integer 0 \
        StartTime timestamptz "$T0" IAmAliveTime timestamptz "$T1" Version integer 0) || bad "race: build"
    printf 'BEGIN;\n%s\nDO $x$ BEGIN PERFORM pg_sleep(0.3); END $x$;\nCOMMIT;\n' "$script" \
        | "$PSQL" -X -q -v ON_ERROR_STOP=1 -At >"$WORK/race-$g.out" 2>&1 &
done
wait
is "race on membership version: exactly one of six inserts succeeded" "$(cat "$WORK"/race-*.out | sort | tr '\n' ' ')" "0 0 0 0 0 1 "
is "race left version 1 and one member" "$(table_version race)|$(sql -c "SELECT count(*) FROM orleans_membership WHERE deploymentid = 'race'")" "1|1"

check "delete the cluster's entries" "" DeleteMembershipTableEntriesKey DeploymentId text "'race'"
is "members and version row of that cluster are gone, others kept" \
    "$(sql -c "SELECT (SELECT count(*) FROM orleans_membership WHERE deploymentid = 'race') || '|' || (SELECT count(*) FROM orleans_membership_version WHERE deploymentid = 'race') || '|' || (SELECT count(*) FROM orleans_membership WHERE deploymentid = 'c1')")" \
    "0|0|8"

echo "== grain persistence"
grain() { # service statename n0 n1 extension(SQL literal)
    G=(ServiceId text "'$1'" GrainTypeString text "'$2'" GrainIdN0 bigint "$3" GrainIdN1 bigint "$4"
       GrainIdExtensionString text "$5" GrainIdHash integer -123456789 GrainTypeHash integer 631257761)
}
write() { # expected desc version(literal) payload(literal)
    check "$2" $'newgrainstateversion\n'"$1" WriteToStorageKey "${G[@]}" GrainStateVersion integer "$3" PayloadBinary bytea "$4"
}
RHDR='payloadbinary|version'
grain svc state 0 42 NULL
check "read of a new grain: no row" "$RHDR" ReadFromStorageKey "${G[@]}"
write 1 "first write (GrainStateVersion NULL) inserts version 1" NULL "'\\x7b7d'"
write NULL "second first-write for the same identity refused (NULL)" NULL "'\\x00'"
write 2 "write with version 1 gives 2" 1 "'\\x7b2261223a317d'"
write NULL "stale write with old version 1 refused" 1 "'\\xdead'"
check "read returns the last accepted payload and version" "$RHDR"$'\n\\x7b2261223a317d|2' ReadFromStorageKey "${G[@]}"
grain svc state 0 42 "'ext'"
check "same key with an extension is another row (no row yet)" "$RHDR" ReadFromStorageKey "${G[@]}"
write 1 "write with extension inserts its own row" NULL "'\\x01'"
grain svc state 0 42 NULL
check "NULL extension still reads only its own row" "$RHDR"$'\n\\x7b2261223a317d|2' ReadFromStorageKey "${G[@]}"
grain svc other-state 0 42 NULL
check "another state name is another row" "$RHDR" ReadFromStorageKey "${G[@]}"
grain svc2 state 0 42 NULL
check "another ServiceId is another row" "$RHDR" ReadFromStorageKey "${G[@]}"
grain svc state 0 0 "'my-string-key'"
write 1 "string key (whole key in the extension) inserts" NULL "'\\x02'"
grain svc state 0 42 NULL
check "clear with stale version refused (no row)" "newgrainstateversion" ClearStorageKey "${G[@]}" GrainStateVersion integer 1
check "clear with current version 2 gives 3" $'newgrainstateversion\n3' ClearStorageKey "${G[@]}" GrainStateVersion integer 2
check "read after clear: row kept, NULL payload, version 3" "$RHDR"$'\nNULL|3' ReadFromStorageKey "${G[@]}"
write 4 "write after clear with version 3 gives 4" 3 "'\\x03'"
check "delete with stale version refused (no row)" "newgrainstateversion" DeleteStorageKey "${G[@]}" GrainStateVersion integer 3
check "delete with current version 4 returns 5 (differs from sent)" $'newgrainstateversion\n5' DeleteStorageKey "${G[@]}" GrainStateVersion integer 4
check "read after delete: no row" "$RHDR" ReadFromStorageKey "${G[@]}"
write 1 "write after delete (ETag null) inserts again" NULL "'\\x04'"
if sql -c "INSERT INTO orleans_storage (serviceid, graintypestring, grainidn0, grainidn1, grainidextensionstring, grainidhash, graintypehash, payloadbinary, version)
           VALUES ('svc', 'state', 0, 42, NULL, 0, 0, NULL, 1)" >/dev/null 2>&1; then
    bad "unique identity treats NULL extensions as equal"
else
    ok "unique identity treats NULL extensions as equal (direct duplicate insert rejected)"
fi
grain svc race 7 7 NULL
for i in 1 2 3 4 5 6; do
    script=$(build WriteToStorageKey "${G[@]}" GrainStateVersion integer NULL PayloadBinary bytea "'\\x0$i'") || bad "race: build"
    printf 'BEGIN;\n%s\nDO $x$ BEGIN PERFORM pg_sleep(0.3); END $x$;\nCOMMIT;\n' "$script" \
        | "$PSQL" -X -q -v ON_ERROR_STOP=1 -At -P null=NULL >"$WORK/srace-$i.out" 2>&1 &
done
wait
is "race of six first writes: exactly one got version 1, the others NULL" "$(cat "$WORK"/srace-*.out | sort | tr '\n' ' ')" "1 NULL NULL NULL NULL NULL "
is "race left one row" "$(sql -c "SELECT count(*) FROM orleans_storage WHERE graintypestring = 'race'")" "1"

echo "== reminders"
RM=$'grainid|remindername|starttime|period|version'
upsert() { # expected desc grain name period(literal+type) hash
    check "$2" $'version\n'"$1" UpsertReminderRowKey ServiceId text "'svc'" GrainId text "'$3'" ReminderName text "'$4'" \
        StartTime timestamptz "$T0" Period "$5" "$6" GrainHash integer "$7"
}
upsert 0 "first upsert returns version 0" "user/1" r1 integer 60000 -5
upsert 1 "second upsert of the same reminder returns 1 (no ETag check)" "user/1" r1 bigint 3000000000000 -5
upsert 0 "another reminder of the same grain" "user/1" r2 integer 1000 -5
upsert 0 "grain with hash -2000000000" "user/2" r1 integer 1000 -2000000000
upsert 0 "grain with hash 0" "user/3" r1 integer 1000 0
upsert 0 "grain with hash 7" "user/4" r1 integer 1000 7
upsert 0 "grain with hash 2000000000" "user/5" r1 integer 1000 2000000000
check "upsert into another service" $'version\n0' UpsertReminderRowKey ServiceId text "'svc-other'" GrainId text "'user/1'" \
    ReminderName text "'r1'" StartTime timestamptz "$T0" Period integer 1000 GrainHash integer -5
check "read one reminder (long period kept)" "$RM"$'\nuser/1|r1|2024-05-01 10:00:00+00|3000000000000|1' \
    ReadReminderRowKey ServiceId text "'svc'" GrainId text "'user/1'" ReminderName text "'r1'"
check "read a missing reminder: no row" "$RM" ReadReminderRowKey ServiceId text "'svc'" GrainId text "'user/1'" ReminderName text "'nope'"
sorted() { local out; out=$(run "$@") || { echo "ERROR: $out"; return; }; { head -n1 <<<"$out"; tail -n +2 <<<"$out" | sort; }; }
is "read all reminders of a grain" "$(sorted ReadReminderRowsKey ServiceId text "'svc'" GrainId text "'user/1'")" \
    "$RM"$'\nuser/1|r1|2024-05-01 10:00:00+00|3000000000000|1\nuser/1|r2|2024-05-01 10:00:00+00|1000|0'
hashes() { local out; out=$(run "$@") || { echo "ERROR: $out"; return; }
    tail -n +2 <<<"$out" | cut -d'|' -f1,2 | sort | tr '\n' ' '; }
is "range 1 (-5, 7]: signed compare, begin excluded, end included" \
    "$(hashes ReadRangeRows1Key ServiceId text "'svc'" BeginHash integer -5 EndHash integer 7)" "user/3|r1 user/4|r1 "
is "range 2 wrap (7, -5]: above begin or at/below end" \
    "$(hashes ReadRangeRows2Key ServiceId text "'svc'" BeginHash integer 7 EndHash integer -5)" \
    "user/1|r1 user/1|r2 user/2|r1 user/5|r1 "
is "range 2 with begin = end: the whole ring" \
    "$(hashes ReadRangeRows2Key ServiceId text "'svc'" BeginHash integer 0 EndHash integer 0)" \
    "user/1|r1 user/1|r2 user/2|r1 user/3|r1 user/4|r1 user/5|r1 "
check "range columns are the reminder columns" "$RM" ReadRangeRows1Key ServiceId text "'svc'" BeginHash integer 100 EndHash integer 200
check "delete with stale version: 0" $'deleted\n0' DeleteReminderRowKey ServiceId text "'svc'" GrainId text "'user/1'" ReminderName text "'r1'" Version integer 0
check "delete with current version: 1" $'deleted\n1' DeleteReminderRowKey ServiceId text "'svc'" GrainId text "'user/1'" ReminderName text "'r1'" Version integer 1
check "delete again: 0" $'deleted\n0' DeleteReminderRowKey ServiceId text "'svc'" GrainId text "'user/1'" ReminderName text "'r1'" Version integer 1
for i in 1 2 3 4 5; do
    script=$(build UpsertReminderRowKey ServiceId text "'svc'" GrainId text "'user/9'" ReminderName text "'race'" \
        StartTime timestamptz "$T0" Period integer 1000 GrainHash integer 9) || bad "race: build"
    "$PSQL" -X -q -v ON_ERROR_STOP=1 -At <<<"$script" >"$WORK/rrace-$i.out" 2>&1 &
done
wait
is "five concurrent upserts each got a distinct new version" "$(cat "$WORK"/rrace-*.out | sort -n | tr '\n' ' ')" "0 1 2 3 4 "
check "delete all reminders of the service" "" DeleteReminderRowsKey ServiceId text "'svc'"
is "service emptied, other service kept" \
    "$(sql -c "SELECT (SELECT count(*) FROM orleans_reminders WHERE serviceid = 'svc') || '|' || (SELECT count(*) FROM orleans_reminders WHERE serviceid = 'svc-other')")" "0|1"

echo "== catalogue and idempotency"
missing=""
for k in $REQUIRED_KEYS; do
    [[ $(sql -c "SELECT count(*) FROM orleansquery WHERE querykey = '$k'") == 1 ]] || missing+=" $k"
done
is "every required query key is present" "${missing:-none}" "none"
unexercised=""
while read -r k; do grep -qxF "$k" "$WORK/seen-keys" || unexercised+=" $k"; done < <(sql -c "SELECT querykey FROM orleansquery ORDER BY 1")
is "every query key in orleansquery was exercised" "${unexercised:-none}" "none"
is "orleansquery holds 21 keys" "$(sql -c "SELECT count(*) FROM orleansquery")" "21"
before=$(sql -c "SELECT (SELECT count(*) FROM orleans_membership) || '/' || (SELECT count(*) FROM orleans_storage) || '/' || (SELECT count(*) FROM orleans_reminders)")
apply_all 3
after=$(sql -c "SELECT (SELECT count(*) FROM orleans_membership) || '/' || (SELECT count(*) FROM orleans_storage) || '/' || (SELECT count(*) FROM orleans_reminders)")
is "re-applying the scripts over live data succeeds and keeps the data ($before)" "$after" "$before"
sql -c "INSERT INTO taskengine_task_events (task_id, seq, kind, status, attempt) VALUES ('t1', 1, 'created', 'Pending', 0)" >/dev/null \
    && ok "taskengine_task_events accepts rows" || bad "taskengine_task_events accepts rows"
is "the unused placeholder taskengine_queue_index is gone" "$(sql -c "SELECT to_regclass('taskengine_queue_index') IS NULL")" "t"

echo "== queue records (PostgresQueueIndex)"
# 100,000 rows of another service, half of them finished, so the plans checked below are those of a large table.
sql -c "INSERT INTO taskengine_queue_records (service_id, task_id, queue, priority, seq, expires_at)
        SELECT 'big', 't' || i, CASE WHEN i % 20 = 0 THEN 'q' ELSE 'q' || (i % 20) END, i % 4, i,
               CASE WHEN i % 7 <> 0 THEN timestamptz '2024-05-01 00:00+00' + i * interval '1 second' END
        FROM generate_series(1, 100000) AS i;
        INSERT INTO taskengine_queue_records VALUES
            ('svc', 't1', 'q', 1, 5, NULL), ('svc', 't2', 'q', 3, 9, NULL), ('svc', 't3', 'q', 1, 2, NULL),
            ('svc', 't4', 'q', 1, 1, '2024-05-01 10:00+00'), ('svc', 't5', 'q2', 0, 1, '2024-05-01 09:00+00'),
            ('other', 't1', 'q', 2, 1, NULL);
        ANALYZE taskengine_queue_records" >/dev/null \
    && ok "queue records accept 100,000 rows" || bad "queue records accept 100,000 rows"
if sql -c "INSERT INTO taskengine_queue_records VALUES ('svc', 't1', 'q9', 0, 0, NULL)" >/dev/null 2>&1; then
    bad "a task has one record a service (duplicate rejected)"
else
    ok "a task has one record a service (duplicate rejected)"
fi
# The batch upsert: one array per column, an existing task updated in place, a new one inserted.
sql -c "INSERT INTO taskengine_queue_records (service_id, task_id, queue, priority, seq, expires_at)
        SELECT 'svc', r.task_id, r.queue, r.priority, r.seq, r.expires_at
        FROM unnest('{t3,t6}'::text[], '{q,q}'::text[], '{1,2}'::integer[], '{2,7}'::bigint[], '{2024-05-01 11:00+00,NULL}'::timestamptz[])
             AS r (task_id, queue, priority, seq, expires_at)
        ON CONFLICT (service_id, task_id) DO UPDATE
        SET queue = EXCLUDED.queue, priority = EXCLUDED.priority, seq = EXCLUDED.seq, expires_at = EXCLUDED.expires_at" >/dev/null \
    && ok "unnest upsert of a batch" || bad "unnest upsert of a batch"
UNFINISHED="SELECT task_id FROM taskengine_queue_records WHERE service_id = 'svc' AND queue = 'q' AND expires_at IS NULL ORDER BY priority DESC, seq, task_id"
EXPIRED="SELECT task_id FROM taskengine_queue_records WHERE service_id = 'svc' AND queue = 'q' AND expires_at IS NOT NULL AND expires_at <= '2024-05-01 12:00+00' ORDER BY expires_at LIMIT 100"
QUEUES="WITH RECURSIVE queues (queue) AS (
            (SELECT queue FROM taskengine_queue_records WHERE service_id = 'svc' ORDER BY queue LIMIT 1)
            UNION ALL
            SELECT (SELECT r.queue FROM taskengine_queue_records r WHERE r.service_id = 'svc' AND r.queue > q.queue ORDER BY r.queue LIMIT 1)
            FROM queues q WHERE q.queue IS NOT NULL)
        SELECT queue FROM queues WHERE queue IS NOT NULL"
is "unfinished of a queue: priority desc, then seq; finished and other services left out" "$(sql -c "$UNFINISHED" | tr '\n' ',')" "t2,t6,t1,"
is "expired of a queue: oldest first" "$(sql -c "$EXPIRED" | tr '\n' ',')" "t4,t3,"
is "queues of a service, by loose index scan" "$(sql -c "$QUEUES" | tr '\n' ',')" "q,q2,"
uses_index() { # desc index query (for service 'big'): its plan uses the index and reads no table in full
    local plan
    plan=$(sql -c "EXPLAIN (COSTS OFF) ${3//\'svc\'/\'big\'}" 2>&1)
    if grep -q "$2" <<<"$plan" && ! grep -q "Seq Scan" <<<"$plan"; then ok "$1"; else bad "$1" "$plan"; fi
}
uses_index "unfinished of a queue read from the partial index" taskengine_queue_records_unfinished "$UNFINISHED"
uses_index "expired of a queue read from the partial expiry index" taskengine_queue_records_expiry "$EXPIRED"
uses_index "queues listed through the (service_id, queue) index" taskengine_queue_records_queues "$QUEUES"
before=$(sql -c "SELECT count(*) FROM taskengine_queue_records")
apply_all 4
is "re-applying the scripts keeps the queue records ($before)" "$(sql -c "SELECT count(*) FROM taskengine_queue_records")" "$before"

echo "== batched grain state (PostgresGrainStorage; the statements as it sends them, arrays inlined)"
gwrite() { # names ids expected payloads -> "grain_id:version," of the writes that succeeded
    sql -c "WITH input AS (SELECT * FROM unnest('$1'::text[], '$2'::text[], '$3'::integer[], '$4'::bytea[]) AS i (state_name, grain_id, expected, payload)),
            updated AS (UPDATE taskengine_grain_state t SET version = t.version + 1, payload = i.payload, modified_on = now()
                        FROM input i WHERE t.service_id = 'svc' AND t.state_name = i.state_name AND t.grain_id = i.grain_id AND t.version = i.expected
                        RETURNING t.state_name, t.grain_id, t.version),
            inserted AS (INSERT INTO taskengine_grain_state (service_id, state_name, grain_id, version, payload)
                         SELECT 'svc', i.state_name, i.grain_id, 1, i.payload FROM input i WHERE i.expected IS NULL
                         ON CONFLICT (service_id, state_name, grain_id) DO NOTHING RETURNING state_name, grain_id, version)
            SELECT grain_id || ':' || version FROM (SELECT * FROM updated UNION ALL SELECT * FROM inserted) w ORDER BY grain_id" | tr '\n' ','
}
gclear() { # names ids expected -> "grain_id," of the clears that succeeded
    sql -c "WITH input AS (SELECT * FROM unnest('$1'::text[], '$2'::text[], '$3'::integer[]) AS i (state_name, grain_id, expected)),
            deleted AS (DELETE FROM taskengine_grain_state t USING input i
                        WHERE t.service_id = 'svc' AND t.state_name = i.state_name AND t.grain_id = i.grain_id AND t.version = i.expected
                        RETURNING t.state_name, t.grain_id)
            SELECT grain_id FROM (SELECT state_name, grain_id FROM deleted
                                  UNION ALL
                                  SELECT i.state_name, i.grain_id FROM input i WHERE i.expected IS NULL AND NOT EXISTS (
                                      SELECT 1 FROM taskengine_grain_state t
                                      WHERE t.service_id = 'svc' AND t.state_name = i.state_name AND t.grain_id = i.grain_id)) c
            ORDER BY grain_id" | tr '\n' ','
}
is "first writes insert at version 1" "$(gwrite '{task,task}' '{task/g1,task/g2}' '{NULL,NULL}' '{\\x01,\\x02}')" "task/g1:1,task/g2:1,"
is "one batch: a current write succeeds, a stale one is refused, new ones insert" \
    "$(gwrite '{task,task,task,task}' '{task/g1,task/g2,task/g1x,task/g3}' '{1,5,NULL,NULL}' '{\\x11,\\x22,\\x00,\\x33}')" "task/g1:2,task/g1x:1,task/g3:1,"
is "an insert over an existing row is refused" "$(gwrite '{task}' '{task/g2}' '{NULL}' '{\\xff}')" ""
is "the refused writes left the stored versions and payloads" \
    "$(sql -c "SELECT grain_id || ':' || version || ':' || encode(payload, 'hex') FROM taskengine_grain_state WHERE service_id = 'svc' AND grain_id IN ('task/g1', 'task/g2') ORDER BY grain_id" | tr '\n' ',')" \
    "task/g1:2:11,task/g2:1:02,"
is "clears: at the current version deleted, a stale one refused, with no version and no row fine" \
    "$(gclear '{task,task,task}' '{task/g2,task/g3,task/g9}' '{1,7,NULL}')" "task/g2,task/g9,"
is "a clear with no version where a row exists is refused" "$(gclear '{task}' '{task/g1}' '{NULL}')" ""
before=$(sql -c "SELECT count(*) FROM taskengine_grain_state")
apply_all 5
is "re-applying the scripts keeps the grain state rows ($before)" "$(sql -c "SELECT count(*) FROM taskengine_grain_state")" "$before"

echo "== $PASS passed, $FAIL failed"
[[ $FAIL -eq 0 ]]

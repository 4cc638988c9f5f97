#!/usr/bin/env bash
# Regenerates Generated/ (the committed Kiota client) from the OpenAPI document of a running API host, with the options
# the check in OpenApiClientTests uses. Usage: regenerate.sh [document URL or file] (default http://localhost:5080/openapi/v1.json).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source="${1:-http://localhost:5080/openapi/v1.json}"
cd "$here/../.."
dotnet tool restore >/dev/null
document="$(mktemp --suffix=.json)"
trap 'rm -f "$document"' EXIT
if [[ -f "$source" ]]; then cp "$source" "$document"; else curl -fsS "$source" -o "$document"; fi
dotnet kiota generate -l CSharp -d "$document" -o "$here/Generated" \
  -n Orleans.TaskEngine.GeneratedClient -c TaskEngineApiClient --exclude-backward-compatible --clean-output
# The lock file names the temporary document and the log is Kiota's own: neither is part of the client.
rm -f "$here/Generated/kiota-lock.json" "$here/Generated/.kiota.log"
echo "Regenerated $here/Generated from $source"

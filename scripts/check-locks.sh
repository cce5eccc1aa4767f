#!/usr/bin/env bash
# Fails when Swift code in Sources/, Tests/ or an integration package (Integrations/*/Sources, Tests) uses Synchronization.Mutex instead of Locked. ThreadSanitizer
# cannot see that Mutex on Linux, so every pair of its withLock bodies can be reported as a race and the
# state it guards goes unchecked (docs/SANITIZERS.md). Locked (Sources/JWTK/Concurrency/Locked.swift) is a
# pthread mutex, which TSan intercepts.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=$(grep -rnE '\bMutex\s*(<|\()|Synchronization\.Mutex\b' --include='*.swift' Sources Tests Integrations/*/Sources Integrations/*/Tests | grep -vE '^[^:]+:[0-9]+:\s*///?' || true)
if [ -n "$bad" ]; then
  echo "Synchronization.Mutex used; use Locked (TSan cannot see Mutex on Linux):" >&2
  echo "$bad" >&2
  exit 1
fi
echo "locks: ok"

#!/usr/bin/env bash
# Checks the published artifacts the way users get them. Run after `mvn install` (scripts/test.sh
# does): the second build skips the tests, so the test jars the starter's tests depend on come
# from that install. It
#   1. builds the published modules a second time from clean and deploys them to a staging
#      repository under target/release-check (no network, no credentials);
#   2. compares every jar of the two builds byte for byte (reproducible builds);
#   3. builds and runs samples/consumer against the staging repository through drain-bom only:
#      one app on the module path (Jetty + drain-servlet), one on the class path (Netty +
#      drain-netty); each serves, drains on SIGTERM and exits clean.
set -euo pipefail
cd "$(dirname "$0")/.."
PUBLISHED=(drain-core drain-test drain-servlet drain-netty drain-spring-starter)
VERSION=$(sed -n 's#^  <version>\(.*\)</version>$#\1#p' pom.xml | head -1)
[ -n "$VERSION" ] || { echo "cannot read the version from pom.xml" >&2; exit 1; }
WORK="$PWD/target/release-check"
M2="${M2_REPO:-$HOME/.m2/repository}"
rm -rf "$WORK"
mkdir -p "$WORK/first"

echo "== release check: graceful-drain $VERSION"
for m in "${PUBLISHED[@]}"; do
  for kind in "" -sources -javadoc; do
    jar="$m/target/$m-$VERSION$kind.jar"
    [ -f "$jar" ] || { echo "missing $jar: run mvn install first" >&2; exit 1; }
    cp "$jar" "$WORK/first/"
  done
done

# 1. Second build from clean, deployed to a file repository as a release would be.
mvn -B -ntp -q clean deploy -Dmaven.test.skip=true \
  -pl "drain-bom,drain-api-check,$(IFS=,; echo "${PUBLISHED[*]}")" \
  -DaltDeploymentRepository="staging::file://$WORK/staging"

# 2. Reproducible: the second build's jars equal the first's.
differ=0
for first in "$WORK"/first/*.jar; do
  name=$(basename "$first")
  module=${name%-"$VERSION"*}
  if ! cmp -s "$first" "$module/target/$name"; then
    echo "NOT REPRODUCIBLE: $name differs between two builds" >&2
    differ=1
  fi
done
[ "$differ" = 0 ] || exit 1
echo "reproducible: $(ls "$WORK/first" | wc -l) jars identical in two builds"
# What was staged is exactly what is published: the BOM's POM, and each module's POM, jar,
# sources and Javadoc (snapshot timestamps read as -SNAPSHOT); nothing else, no parent.
staged=$(cd "$WORK/staging" && find . -type f \( -name '*.jar' -o -name '*.pom' \) \
  | sed 's#.*/##; s#-[0-9]\{8\}\.[0-9]\{6\}-[0-9]*#-SNAPSHOT#' | sort)
expected=$( { echo "drain-bom-$VERSION.pom"
  for m in "${PUBLISHED[@]}"; do
    printf '%s\n' "$m-$VERSION.pom" "$m-$VERSION.jar" "$m-$VERSION-sources.jar" \
      "$m-$VERSION-javadoc.jar"
  done; } | sort)
if [ "$staged" != "$expected" ]; then
  echo "staged files differ from the published set:" >&2
  diff <(echo "$expected") <(echo "$staged") >&2 || true
  exit 1
fi
echo "staged: $(echo "$staged" | wc -l) files: $(echo "$staged" | tr '\n' ' ')"
# drain-core carries only the drain: the rollout planner is drain-plan's, which is not published
core="$WORK/first/drain-core-$VERSION.jar"
if jar tf "$core" | grep -q '^dev/drain/core/plan/' \
  || unzip -p "$core" META-INF/MANIFEST.MF | grep -q '^Main-Class:'; then
  echo "drain-core's jar holds the planner or a Main-Class: it belongs to drain-plan" >&2
  exit 1
fi
for pom in $(find "$WORK/staging" -name '*.pom'); do
  if grep -q '\${' "$pom"; then
    echo "staged POM with a \${...} placeholder: $pom" >&2
    exit 1
  fi
  if grep -q '<parent>' "$pom"; then
    echo "staged POM naming a parent, which is not published: $pom" >&2
    exit 1
  fi
done

# 3. The consumer build: graceful-drain from the staging repository only; everything else from
# a view of the local repository without dev/drain (then Maven Central), into a fresh local
# repository.
CACHE="$WORK/m2-view"
mkdir -p "$CACHE/dev"
for entry in "$M2"/*; do
  [ "$(basename "$entry")" = dev ] || ln -s "$entry" "$CACHE/"
done
if [ -d "$M2/dev" ]; then
  for entry in "$M2"/dev/*; do
    [ "$(basename "$entry")" = drain ] || ln -s "$entry" "$CACHE/dev/"
  done
fi
DRAIN_STAGING_URL="file://$WORK/staging" DRAIN_CACHE_URL="file://$CACHE" \
  mvn -B -ntp -f samples/consumer/pom.xml -s samples/consumer/settings.xml \
  -Dmaven.repo.local="$WORK/consumer-repo" -Ddrain.version="$VERSION" clean verify \
  | tee "$WORK/consumer.log" | grep -E '^consumer on the|Tests run:|BUILD|ERROR' || true
grep -q 'BUILD SUCCESS' "$WORK/consumer.log" || { echo "consumer check failed: $WORK/consumer.log" >&2; exit 1; }
[ "$(grep -c '^consumer on the' "$WORK/consumer.log")" = 2 ] \
  || { echo "consumer check: expected 2 apps to report" >&2; exit 1; }
echo "release check passed"

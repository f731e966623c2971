#!/usr/bin/env bash
# Builds a Java 17 base image as a `docker save`-style tarball (manifest.json, a config JSON, one
# layer tar) from this machine's JDK, for machines that cannot pull eclipse-temurin:17-jre:
#   image/local-base.sh [OUT.tar]        (default: image/target/local-base.tar)
# then   ./mvnw -pl devstack -am package -Dsluice.image.skip=false -Dsluice.image.base=tar://OUT.tar
# The layer holds a jlinked runtime at /opt/java, the shared libraries it links against (ldd),
# /etc/passwd and /etc/group with the non-root user 65532, /etc/hosts and nsswitch.conf, the
# C.UTF-8 locale, /tmp, and empty /proc, /dev, /sys for the runtime to mount.
# Needs: a JDK 17 with jmods (Debian's openjdk-17-jdk-headless), jlink, ldd, tar, sha256sum.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/target/local-base.tar}"
out="$(mkdir -p "$(dirname "$out")" && cd "$(dirname "$out")" && pwd)/$(basename "$out")"
uid=65532

die() { echo "local-base: $*" >&2; exit 1; }

java_home="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.home = //p')"
[ -n "$java_home" ] || die "no java on PATH"
version="$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
[ "$version" = 17 ] || die "need a JDK 17 on PATH (found $version at $java_home)"
[ -d "$java_home/jmods" ] || die "$java_home has no jmods/ (install the full JDK, e.g. openjdk-17-jdk-headless)"
command -v jlink >/dev/null || die "no jlink"

# Every module the sluice classpath needs (`jdeps --multi-release 17 --ignore-missing-deps
# --print-module-deps --class-path 'devstack/target/lib/*' devstack/target/sluice.jar` lists
# java.base, java.compiler, java.desktop, java.naming, java.net.http, java.rmi, java.scripting,
# java.security.jgss, java.security.sasl, java.sql, jdk.httpserver, jdk.management,
# jdk.unsupported), plus what is loaded by name or provider and jdeps cannot see: TLS curves
# (jdk.crypto.ec), Kerberos/SASL for Kafka (jdk.security.auth, jdk.security.jgss), zip file
# systems, DNS (jdk.naming.dns), JMX, jcmd and JFR for diagnosis, locales and charsets.
modules=java.base,java.compiler,java.datatransfer,java.desktop,java.instrument,java.logging
modules+=,java.management,java.management.rmi,java.naming,java.net.http,java.prefs,java.rmi
modules+=,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.transaction.xa
modules+=,java.xml,java.xml.crypto,jdk.charsets,jdk.crypto.cryptoki,jdk.crypto.ec,jdk.httpserver
modules+=,jdk.jcmd,jdk.jfr,jdk.localedata,jdk.management,jdk.management.jfr,jdk.naming.dns
modules+=,jdk.net,jdk.security.auth,jdk.security.jgss,jdk.unsupported,jdk.zipfs

work="$(mktemp -d "${TMPDIR:-/tmp}/sluice-base.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"/{etc,tmp,opt,home/nonroot}

start=$SECONDS
jlink --module-path "$java_home/jmods" --add-modules "$modules" --output "$root/opt/java" \
  --strip-debug --no-man-pages --no-header-files --compress=2 \
  || die "jlink failed"

# Debian's JDK keeps its CA store outside the JDK (a symlink to /etc/ssl/certs/java/cacerts): copy
# the real file, so TLS to Kafka and the Schema Registry trusts the usual public CAs.
cacerts="$root/opt/java/lib/security/cacerts"
if [ ! -s "$cacerts" ] || [ -L "$cacerts" ]; then
  rm -f "$cacerts"
  cp -L "$java_home/lib/security/cacerts" "$cacerts" 2>/dev/null \
    || echo "local-base: warning: no CA store found; TLS will need an explicit truststore" >&2
fi
# Resolve any other symlink that points outside the runtime (Debian links conf files to /etc).
find "$root/opt/java" -type l | while read -r link; do
  target="$(readlink -f "$link" || true)"
  case "$target" in "$root"/*) ;; *) rm -f "$link"; [ -e "$target" ] && cp -L "$target" "$link" ;; esac
done

# Headless: no X11 toolkit, splash screen or AWT native interface (they would pull in libX11 & co).
rm -f "$root/opt/java/lib/"{libawt_xawt.so,libsplashscreen.so,libjawt.so}

# The shared libraries: what ldd says the launcher and every runtime library need, the dynamic
# loader, and libgcc_s (glibc dlopens it to unwind threads on cancellation; ldd cannot see that).
copy_lib() {
  local f="$1"
  [ -e "$f" ] || return 0
  mkdir -p "$root$(dirname "$f")"
  [ -e "$root$f" ] || cp -L "$f" "$root$f"
}
libs="$(find "$root/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
  | xargs -0 ldd 2>/dev/null | awk '/=> \//{print $3} /^\t\/.*ld-linux/{print $1}' | sort -u)"
for lib in $libs; do
  case "$lib" in "$root"/*) continue ;; esac
  copy_lib "$lib"
done
for extra in /lib64/ld-linux-x86-64.so.2 /lib/x86_64-linux-gnu/libgcc_s.so.1; do copy_lib "$extra"; done
# The loader is reached as /lib64/... whose real file may sit in /lib/x86_64-linux-gnu on Debian.
if [ -e /lib64/ld-linux-x86-64.so.2 ]; then
  real="$(readlink -f /lib64/ld-linux-x86-64.so.2)"
  copy_lib "$real"
fi

# The C.UTF-8 locale (LANG=C.UTF-8): without it Java 17 falls back to ASCII for file names.
if [ -d /usr/lib/locale/C.utf8 ]; then
  mkdir -p "$root/usr/lib/locale" && cp -r /usr/lib/locale/C.utf8 "$root/usr/lib/locale/"
fi
mkdir -p "$root/proc" "$root/dev" "$root/sys"

cat >"$root/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/sbin/nologin
nonroot:x:$uid:$uid:nonroot:/home/nonroot:/sbin/nologin
PASSWD
cat >"$root/etc/group" <<GROUP
root:x:0:
nonroot:x:$uid:
GROUP
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
chmod 1777 "$root/tmp"
chown "$uid:$uid" "$root/home/nonroot"

# One layer, reproducible (sorted, epoch mtimes, numeric owners), and the docker-save wrapping.
img="$work/image"
mkdir -p "$img"
tar -C "$root" --sort=name --mtime=@0 --numeric-owner -cf "$img/layer.tar" .
diff_id="$(sha256sum "$img/layer.tar" | cut -d' ' -f1)"
mkdir -p "$img/$diff_id"
mv "$img/layer.tar" "$img/$diff_id/layer.tar"
cat >"$img/config.json" <<CONFIG
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Env":["PATH=/opt/java/bin:/usr/bin:/bin","JAVA_HOME=/opt/java","LANG=C.UTF-8"],
           "User":"$uid:$uid","WorkingDir":"/tmp"},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"image/local-base.sh: jlinked Java $version"}]}
CONFIG
config_id="$(sha256sum "$img/config.json" | cut -d' ' -f1)"
mv "$img/config.json" "$img/$config_id.json"
cat >"$img/manifest.json" <<MANIFEST
[{"Config":"$config_id.json","RepoTags":["sluice-local-base:17"],"Layers":["$diff_id/layer.tar"]}]
MANIFEST
# Member names without a leading ./ (Jib looks for exactly "manifest.json").
(cd "$img" && tar --sort=name --mtime=@0 --numeric-owner -cf "$out.partial" manifest.json \
  "$config_id.json" "$diff_id")
mv "$out.partial" "$out"
echo "local-base: $out ($(du -h "$out" | cut -f1), Java $version, $((SECONDS - start)) s)" >&2

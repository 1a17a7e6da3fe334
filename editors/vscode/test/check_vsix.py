#!/usr/bin/env python3
"""Checks the two VS Code packages that scripts/package-vscode.sh builds.

Usage: check_vsix.py UNIVERSAL.vsix PLATFORM.vsix TARGET

The universal package carries no server and declares no target platform; the
platform package declares TARGET in its manifest and carries an executable
extension/server/newsmark (newsmark.exe on Windows). Both carry the bundled
extension, the grammar and the licence, and no sources or node_modules.
Prints PASS/FAIL lines; exit 0 only if every check passed.
"""
import re
import stat
import sys
import zipfile

failed = 0


def check(ok, what, detail=""):
    global failed
    print(("PASS  " if ok else "FAIL  ") + what + ("" if ok or not detail else f"\n        :: {detail}"))
    failed += not ok


def entries(vsix):
    with zipfile.ZipFile(vsix) as z:
        manifest = z.read("extension.vsixmanifest").decode()
        return {i.filename: i for i in z.infolist()}, manifest


def common(vsix, names):
    for need in ("extension/package.json", "extension/dist/extension.js",
                 "extension/syntaxes/newsmark.tmLanguage.json", "extension/LICENSE.txt"):
        check(need in names, f"{vsix}: holds {need}")
    stray = [n for n in names if n.startswith(("extension/src/", "extension/node_modules/", "extension/test/"))]
    check(not stray, f"{vsix}: no sources, tests or node_modules", str(stray[:5]))


universal, platform, target = sys.argv[1:4]
names, manifest = entries(universal)
common(universal, names)
check(not any(n.startswith("extension/server/") for n in names), f"{universal}: carries no server")
check("TargetPlatform" not in manifest, f"{universal}: declares no target platform")

names, manifest = entries(platform)
common(platform, names)
server = "extension/server/newsmark" + (".exe" if target.startswith("win32") else "")
info = names.get(server)
check(info is not None and info.file_size > 1_000_000, f"{platform}: carries {server}",
      f"entries: {sorted(names)}")
if info is not None and not target.startswith("win32"):
    mode = info.external_attr >> 16
    check(bool(mode & stat.S_IXUSR), f"{platform}: {server} is executable", oct(mode))
found = re.search(r'TargetPlatform="([^"]+)"', manifest)
check(found is not None and found.group(1) == target, f"{platform}: declares target platform {target}",
      found.group(0) if found else "no TargetPlatform in the manifest")
sys.exit(1 if failed else 0)

#!/usr/bin/env python3
"""Checks the two VS Code packages that scripts/package-vscode.sh builds.

Usage: check_vsix.py [--universal FILE.vsix] [--platform FILE.vsix TARGET]

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


def check_universal(universal):
    names, manifest = entries(universal)
    common(universal, names)
    check(not any(n.startswith("extension/server/") for n in names), f"{universal}: carries no server")
    check("TargetPlatform" not in manifest, f"{universal}: declares no target platform")


def check_platform(platform, target):
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


args = sys.argv[1:]
if not args:
    sys.exit(__doc__)
while args:
    if args[0] == "--universal" and len(args) >= 2:
        check_universal(args[1])
        args = args[2:]
    elif args[0] == "--platform" and len(args) >= 3:
        check_platform(args[1], args[2])
        args = args[3:]
    else:
        sys.exit(__doc__)
sys.exit(1 if failed else 0)

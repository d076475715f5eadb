"""nbgrader configuration of the nnlearn course. Run nbgrader from this folder (coursework/).

Nothing here needs editing before use. See README.md in this folder for the commands.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor  # noqa: E402
from nbconvert.preprocessors.sanitize import SanitizeHTML  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties, CheckCellMetadata, ClearHiddenTests, ClearOutput, DeduplicateIds,
    GetGrades, IgnorePattern, LimitOutput, OverwriteCells, OverwriteKernelspec, SaveAutoGrades)

from robust_grading import HideHiddenTestOutputs, OneLevelExtractor, SkipDemoCells, TrustedVerdicts  # noqa: E402

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

c.CourseDirectory.course_id = "nnlearn"
c.CourseDirectory.source_directory = "source"      # source/<lesson>/<lesson>.ipynb

# Released notebooks: check and hidden-test cells cannot be edited or deleted in the UI;
# narrative and demo cells stay editable (learners may play with them; grading restores them).
c.LockCells.lock_solution_cells = True
c.LockCells.lock_grade_cells = True
c.LockCells.lock_readonly_cells = False
c.LockCells.lock_all_cells = False

# Autograding: `python grade.py LESSON` runs each submission in a sandbox, judges its answers
# outside it and hands nbgrader the verdicts; nbgrader itself runs no student code
# (TrustedVerdicts replaces its Execute step, and refuses without grade.py's verdicts file).
c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    DeduplicateIds,
    OverwriteKernelspec,
    OverwriteCells,          # nbgrader's own repair: types, locked sources, points; missing cells back
    SkipDemoCells,           # interactive demos are for looking at; no test depends on them
    CheckCellMetadata,
]
c.OverwriteCells.add_missing_cells = True       # nbgrader >= 0.9.6 (requirements-dev.txt's lowest)
c.Autograde.autograde_preprocessors = [
    TrustedVerdicts,         # outputs and verdicts from grade.py's sandboxed run, no execution
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]

# Feedback: hidden tests show neither their source nor their traceback, and nbconvert's SanitizeHTML
# cleans every markdown cell and HTML output (no <script>, event handler or javascript: link of a
# student's runs when the feedback is opened; nbgrader's feedback template ignores sanitize_html).
c.GenerateFeedback.preprocessors = [
    GetGrades,
    CSSHTMLHeaderPreprocessor,
    HideHiddenTestOutputs,
    ClearHiddenTests,
    SanitizeHTML,
]
c.SanitizeHTML.enabled = True                              # nbconvert preprocessors start disabled
c.SanitizeHTML.tags = list(SanitizeHTML().tags) + [   # and what the lessons' own markdown uses
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "span", "div", "sub", "sup", "details",
    "summary", "table", "thead", "tbody", "tr", "th", "td", "img", "kbd", "del", "dl", "dt", "dd"]
c.SanitizeHTML.attributes = {"a": ["href", "title"], "img": ["src", "alt", "title", "width", "height"],
                             "abbr": ["title"], "acronym": ["title"], "td": ["align"], "th": ["align"]}

# zip_collect (an LMS download in downloaded/<lesson>/archive/): file names as Blackboard-style
# LMSs write them, `<anything>_<student>_attempt_<timestamp>_<notebook>.ipynb`. Change the pattern
# for another LMS; the groups student_id and file_id are required, timestamp is optional.
# The first `_<student>_attempt_` counts (the LMS writes it; what follows is the student's own file
# name, which must not name another student): student ids without "_" in this set-up.
c.ZipCollectApp.extractor_plugin = OneLevelExtractor       # one bad archive stops nobody else
c.FileNameCollectorPlugin.named_regexp = (
    r"^.*?_(?P<student_id>[A-Za-z0-9.\-]+)_attempt_(?P<timestamp>[0-9\-]+)_(?P<file_id>[^/\\]+\.ipynb)$")

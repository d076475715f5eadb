"""nbgrader configuration of the nnlearn course. Run nbgrader from this folder (coursework/).

Nothing here needs editing before use. See README.md in this folder for the commands.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties, CheckCellMetadata, ClearHiddenTests, ClearOutput, DeduplicateIds,
    GetGrades, IgnorePattern, LimitOutput, OverwriteCells, OverwriteKernelspec, SaveAutoGrades)

from robust_grading import HideHiddenTestOutputs, RestartingExecute, RestoreCells, SkipDemoCells  # noqa: E402

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

c.CourseDirectory.course_id = "nnlearn"
c.CourseDirectory.source_directory = "source"      # source/<lesson>/<lesson>.ipynb

# Released notebooks: check and hidden-test cells cannot be edited or deleted in the UI;
# narrative and demo cells stay editable (learners may play with them; grading restores them).
c.LockCells.lock_solution_cells = True
c.LockCells.lock_grade_cells = True
c.LockCells.lock_readonly_cells = False
c.LockCells.lock_all_cells = False

# Autograding: every cell has a time limit; an infinite loop is interrupted and only the tests
# that depend on it lose points. A kernel that dies or cannot be interrupted is restarted.
c.Execute.timeout = 60                 # seconds per cell (a whole lesson runs in < 30 s)
c.Execute.startup_timeout = 60         # seconds for a kernel to start
c.Execute.interrupt_on_timeout = True
c.Execute.iopub_timeout = 10           # seconds to wait for the last output after a reply
c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    DeduplicateIds,
    OverwriteKernelspec,
    RestoreCells,            # re-insert deleted cells, restore types, sources and metadata
    OverwriteCells,
    SkipDemoCells,           # interactive demos are for looking at; no test depends on them
    CheckCellMetadata,
]
c.Autograde.autograde_preprocessors = [
    RestartingExecute,       # nbgrader's Execute, surviving os._exit and unkillable loops
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]

# Feedback: hidden tests show neither their source nor their traceback.
c.GenerateFeedback.preprocessors = [
    GetGrades,
    CSSHTMLHeaderPreprocessor,
    HideHiddenTestOutputs,
    ClearHiddenTests,
]

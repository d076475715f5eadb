"""The interactive apps the lessons display: one function per app, each callable with no
arguments and returning an `App` (an ipywidgets widget with `.controls` and `.figure`)."""

from .app import App, AppMessage, log_slider

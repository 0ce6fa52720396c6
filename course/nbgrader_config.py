"""nbgrader configuration of the minigrad course (this directory is the course root).

Assignments live in source/<name>/<name>.ipynb; their hidden test cells call
autograder.checks.run, which needs the `autograder` package (pip install -e ".[grader]") and torch.
"""

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "minigrad-autograd"
c.CourseDirectory.assignment_id = ""

# Deep-graph checks build 100,000-node graphs; leave them time on a slow machine.
c.ExecutePreprocessor.timeout = 300
c.Execute.timeout = 300

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

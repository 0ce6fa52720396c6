"""The course's autograder.

`autograder.checks` holds one check per graded behaviour of each assignment. A check is split in two
so that student code can run in a sandbox and be judged outside it: its `harness` calls the student's
functions and returns plain data, its `judge` recomputes the reference with torch and scores the data.
"""

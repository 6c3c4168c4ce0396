import os
import sys

# ``python -m netkb`` puts the current folder first on the import path: in a knowledge
# base that would let a Python file of it (a pull request could add one) be imported as a
# Markdown extension named in mkdocs.yml. netkb never runs code that comes with the KB.
if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from netkb.cli import main

main()

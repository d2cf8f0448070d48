import os
import sys

TRAIN = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if TRAIN not in sys.path:
    sys.path.insert(0, TRAIN)

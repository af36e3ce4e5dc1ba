#!/usr/bin/env python
from plombiers.__main__ import main

if __name__ == "__main__":
    main()

from zwgk.cli import main

# Guarded: a process the run spawns (link verification beside the crawl)
# imports this module again as its parent's main module.
if __name__ == "__main__":
    main()

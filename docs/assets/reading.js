// reading: loaded on every page; re-run after instant navigation via document$.subscribe.

#!/bin/sh
# Generate the configure script and Makefile templates from a git checkout.
set -e
cd "$(dirname "$0")"
autoreconf --install --force

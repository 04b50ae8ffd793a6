// libyaml (Debian: libyaml-dev), the parser under Engine's YAML reader. Linked statically: see Package.swift.
#include <yaml.h>

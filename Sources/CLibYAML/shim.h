#ifndef FAULTLINE_CLIBYAML_SHIM_H
#define FAULTLINE_CLIBYAML_SHIM_H
// libyaml's event parser, which the scenario reader composes its own node tree from
// (ScenarioFormat/Reading/YAMLEventReader.swift is the only caller).
#include <yaml.h>
#endif

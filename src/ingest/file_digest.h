// FileDigest: what tells one imported file from another, so that importing the same
// file again (which would count its events twice) can be refused.
//
// The file's size and a BLAKE2b-256 of its first and last 64 KiB and of 64 blocks of
// 4 KiB spread evenly between them (the whole file when it is smaller than that): about
// 400 KiB read whatever the size, so a 1 GB events file costs well under a millisecond
// more to import. Two different files get the same digest only with the same size and
// the same bytes at every place sampled; the guard that uses it can be overridden.
#pragma once

#include <string>

#include "core/status.h"

namespace fairlead {

// "SIZE:HEX" for the file at `path`; an error names the path.
Result<std::string> FileDigest(const std::string& path);

}  // namespace fairlead

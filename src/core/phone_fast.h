// A fast path for the common phone number: one already written in international
// form ('+', then digits, with single spaces or hyphens between them allowed).
//
// libphonenumber decides validity by matching the national number against its
// metadata's patterns with ICU regular expressions, looked up in a locked cache
// by pattern text; that cost 14-23 us a number in the benchmark runs and bounded
// the people import (bench/RESULTS.md). This path reads the same compiled-in metadata, compiles
// each pattern once with RE2, and follows libphonenumber's own steps (country
// calling code, region among those sharing it, number type) for such a number.
//
// It answers only when the number is valid and needs none of the steps it
// leaves out: a national prefix written after the country code, a country code
// libphonenumber does not know, a number of the wrong length or one that fits
// no pattern. Then it returns nullopt and the caller asks libphonenumber, which
// also gives the error. Tests check it against libphonenumber on every region's
// example numbers, on near misses of them and on random digit strings for every
// calling code; `fairlead bench phones` counts how many of a file's phones it
// answered. Thread-safe; a calling code's patterns are compiled on first use.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fairlead {

// The E.164 form ("+4930123456") of `number` (already trimmed), exactly as
// libphonenumber's Parse, IsValidNumber and Format(E164) give it, or nullopt.
std::optional<std::string> FastE164(std::string_view number);

}  // namespace fairlead

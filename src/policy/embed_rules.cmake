file(READ ${IN} CONTENT)
file(WRITE ${OUT} "#include \"policy/rules.h\"\nnamespace fairlead {\nstd::string_view DefaultRulesText() {\n  static const char kText[] = R\"FLRULES(${CONTENT})FLRULES\";\n  return std::string_view(kText, sizeof(kText) - 1);\n}\n}  // namespace fairlead\n")

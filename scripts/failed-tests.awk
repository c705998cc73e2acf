# Repeats each failed test's name, error message and first stack frames after all the output,
# so the cause is the last thing a reader of a truncated log sees.
/^  Failed / { mode = 1; n = 0; out = out $0 "\n"; next }
mode && /^  (Standard Output Messages|Standard Error Messages):/ { mode = 0; next }
mode && /^(Passed|Failed)!/ { mode = 0; next }
mode == 1 && /^  Stack Trace:/ { mode = 2; s = 0; out = out $0 "\n"; next }
mode == 1 { if (n++ < 30) out = out $0 "\n"; next }
mode == 2 { if (s++ < 6) out = out $0 "\n"; next }
END { if (out != "") printf "\nfailed tests:\n%s", out }

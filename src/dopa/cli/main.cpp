// The `dopa` program: its command line is dopa::cli::run_dopa's (cli/app.cpp).
#include "dopa/cli/commands.h"

int main(int argc, char** argv) { return dopa::cli::run_dopa(argc, argv); }

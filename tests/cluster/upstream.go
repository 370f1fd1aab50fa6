package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// parseFlags parses a subcommand's flags and checks that the named ones were given.
func parseFlags(fs *flag.FlagSet, args []string, required ...string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, name := range required {
		if fs.Lookup(name).Value.String() == "" {
			return fmt.Errorf("--%s is required", name)
		}
	}
	return nil
}

// runUpstream runs an upstream component's own cobra command (the same one its binary runs) with
// our flags, then the caller's extra ones (after `--`), so those can override ours.
func runUpstream(cmd *cobra.Command, flags, extra []string) error {
	cmd.SetArgs(append(flags, extra...))
	if err := cmd.Execute(); err != nil {
		os.Exit(1) // cobra has already printed the error
	}
	return nil
}

package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/torii-convert/torii-convert/convert"
)

func templatesCommand(e env) *cli.Command {
	return &cli.Command{
		Name:  "templates",
		Usage: "list the built-in templates, or print one to copy and edit",
		Description: `With no argument, lists the built-in templates, one line each. "templates show NAME"
prints one, ready to save and edit:

   torii-convert templates show figma > my-template.json
   torii-convert convert --template ./my-template.json export.csv`,
		Action: action(func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageError("unknown argument %q; to print a template: torii-convert templates show %s", c.Args().First(), c.Args().First())
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			for _, name := range convert.Builtins() {
				t, err := convert.FindTemplate(name)
				if err != nil {
					return err
				}
				fmt.Fprintf(tw, "%s\t%s\n", t.Name, t.Description)
			}
			return tw.Flush()
		}),
		Subcommands: []*cli.Command{{
			Name:      "show",
			Usage:     "print a built-in template",
			ArgsUsage: "NAME",
			Action: action(func(c *cli.Context) error {
				if c.NArg() != 1 {
					return usageError("templates show takes one template name; the built-in ones: torii-convert templates")
				}
				src, err := convert.BuiltinSource(c.Args().First())
				if err != nil {
					return err
				}
				_, err = e.stdout.Write(src)
				return err
			}),
		}},
	}
}

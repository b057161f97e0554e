package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/pgrestgen/pgrestgen/generator"
	"github.com/pgrestgen/pgrestgen/runtime/drift"
)

func runGenerate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var src sourceFlags
	src.register(fs, "db")
	dumpModel := fs.String("dump-model", "", "also write the introspected catalog model as JSON to this file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	start := time.Now()
	opts, err := src.options(stderr, src.out)
	if err != nil {
		return err
	}
	res, err := generator.Generate(ctx, opts)
	if err != nil {
		return err
	}
	printWarnings(stderr, "generate", res.Warnings)
	changed, err := res.Files.WriteDir(src.out)
	if err != nil {
		return err
	}
	if *dumpModel != "" {
		b, err := json.MarshalIndent(res.Catalog, "", "  ")
		if err != nil {
			return fmt.Errorf("encode catalog: %w", err)
		}
		if err := os.WriteFile(*dumpModel, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("write catalog model: %w", err)
		}
	}
	fmt.Fprintf(stdout, "pgrestgen: %d relations, %d functions → %d files in %s (%d changed) in %s\n",
		len(res.Catalog.Relations), len(res.Catalog.Functions), len(res.Files), filepath.Clean(src.out),
		changed, time.Since(start).Round(time.Millisecond))
	return nil
}

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var src sourceFlags
	src.register(fs, "db")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	opts, err := src.options(stderr, src.out)
	if err != nil {
		return err
	}
	res, err := generator.Generate(ctx, opts)
	if err != nil {
		return err
	}
	printWarnings(stderr, "check", res.Warnings)
	diff, err := res.Files.Diff(src.out)
	if err != nil {
		return err
	}
	if diff != "" {
		fmt.Fprint(stderr, diff)
		// Name the database objects that differ, as the server's start-up
		// check logs them. Code without the list only gets the diff.
		have, err := generator.ReadObjects(src.out)
		if err != nil {
			fmt.Fprintf(stderr, "pgrestgen check: %v\n", err)
		} else if d := drift.Compare(have, generator.Objects(res.Catalog)); have != nil && d.Len() > 0 {
			fmt.Fprintf(stderr, "pgrestgen check: generated code is stale: %s\n", d.Summary(0))
		}
		fmt.Fprintf(stderr, "pgrestgen check: %s is stale; run pgrestgen generate with the same flags\n", filepath.Clean(src.out))
		return exitError(1)
	}
	fmt.Fprintf(stdout, "pgrestgen check: %s is up to date\n", filepath.Clean(src.out))
	return nil
}

# Makefile: builds the FastCGI executables and the admin CLI into build/, runs the tests and the
# local stack. Plain make + pkg-config; every source file is found by wildcard, so adding a
# module to a layer, an executable in cgi-bin/ or a unit test in tests/unit/ needs no edit here.
# Each layer of lib/ (docs/ARCHITECTURE.md) is its own static archive, linked in layer order.

PKGS     := fcgi json-c libmariadb libcrypt libxml-2.0 libqrencode libpng libcrypto pwquality
BUILD    ?= build
OPT      ?= -O2 -g
SAN      ?=
PREFIX   ?= /usr/local
DESTDIR  ?=

# V=1 shows the full compiler command lines
V        ?= 0
Q        := $(if $(filter 1,$(V)),,@)
say       = $(if $(filter 1,$(V)),,@printf '  %-6s %s\n' $(1) $(2))

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wvla -Wpointer-arith -Wcast-qual
# pkg-config runs once per make, not once per compiled file
PKG_CFLAGS  := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS    := $(shell pkg-config --libs $(PKGS))
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)
ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) $(SAN) -Ilib -I$(BUILD)/gen $(PKG_CFLAGS) \
              $(CFLAGS)
ALL_LDFLAGS = $(SAN) $(LDFLAGS)
ALL_LDLIBS  = $(PKG_LIBS) $(LDLIBS)

# The layers, lowest first; each is build/lib<layer>.a from lib/<layer>/ (the dialects: every
# folder of lib/dialect/). LINK_LIBS names them highest first, the order the linker needs: a
# call from a layer to a higher one finds nothing left to link (tools/check-layers.py checks the
# archives for one, and every #include for an upward one).
LAYERS   := base codec store core http dialect
layer_src = $(sort $(wildcard lib/$(1)/*.c $(if $(filter dialect,$(1)),lib/dialect/*/*.c)))
LIB_SRC  := $(foreach l,$(LAYERS),$(call layer_src,$(l)))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/migrations.o
LIB_A    := $(LAYERS:%=$(BUILD)/lib%.a)
LINK_LIBS = $(foreach l,dialect http core store codec base,$(BUILD)/lib$(l).a)
# provctl works through the core: http and the dialects are not even on its link line
CTL_LIBS  = $(foreach l,core store codec base,$(BUILD)/lib$(l).a)
EXES     := $(sort $(notdir $(basename $(wildcard cgi-bin/*.c))))
EXE_BIN  := $(EXES:%=$(BUILD)/%)
CTL_SRC  := $(sort $(wildcard tools/provctl*.c))
CTL_OBJ  := $(CTL_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
MIGRATIONS := $(sort $(wildcard sql/migrations/*.sql))

.PHONY: all test unit unit-bins asan run stop clean install uninstall bench bench-bins fuzz \
        fuzz-bins fuzz-bins-here cluster test-cluster
.DELETE_ON_ERROR:
.SECONDARY:

all: $(EXE_BIN) $(BUILD)/provctl

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/gen/migrations.c: $(MIGRATIONS) tools/embed-sql.sh
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)sh tools/embed-sql.sh $(MIGRATIONS) > $@

$(BUILD)/obj/gen/migrations.o: $(BUILD)/gen/migrations.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

define layer_archive
$(BUILD)/lib$(1).a: $(patsubst %.c,$(BUILD)/obj/%.o,$(call layer_src,$(1))) \
                   $(if $(filter store,$(1)),$(BUILD)/obj/gen/migrations.o)
	@rm -f $$@
	$$(call say,AR,$$@)
	$$(Q)$$(AR) rcs $$@ $$^
endef
$(foreach l,$(LAYERS),$(eval $(call layer_archive,$(l))))

$(BUILD)/%: $(BUILD)/obj/cgi-bin/%.o $(LIB_A)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $< $(LINK_LIBS) $(ALL_LDLIBS) -o $@

$(BUILD)/provctl: $(CTL_OBJ) $(LIB_A)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $(CTL_OBJ) $(CTL_LIBS) $(ALL_LDLIBS) -o $@

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $< $(LINK_LIBS) $(ALL_LDLIBS) $(CMOCKA_LIBS) -o $@

unit-bins: $(UNIT_BIN)

# The same sources built with AddressSanitizer and UndefinedBehaviorSanitizer, in their own tree,
# with db.c's fault-injection hook (PROVISION_FAULTS) compiled in for the fault tests.
asan:
	$(MAKE) --no-print-directory BUILD=build/asan OPT="-O1 -g" \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
	  -DPROVISION_FAULTS" all unit-bins

unit: unit-bins
	sh tests/run-unit.sh $(BUILD)/tests

# libFuzzer harnesses (tests/fuzz/fuzz_*.c, docs/SECURITY.md): the library built with clang,
# -fsanitize=fuzzer-no-link,address,undefined in its own tree (build/fuzz), each harness linked
# with the fuzzer runtime. `make fuzz` runs every harness for FUZZ_SECONDS over its committed
# corpus (tests/fuzz/corpus/<name>), FUZZ_JOBS at a time, and fails on any crash, leak, UB or
# timeout. Needs clang and libclang-rt-14-dev.
FUZZ_SRC     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 2

$(BUILD)/fuzzers/%: $(BUILD)/obj/tests/fuzz/%.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer $< $(LINK_LIBS) $(ALL_LDLIBS) -o $@

fuzz-bins-here: $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzzers/%)

fuzz-bins:
	$(MAKE) --no-print-directory BUILD=build/fuzz CC=clang OPT="-O1 -g" \
	  SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" fuzz-bins-here

fuzz: fuzz-bins
	sh tests/fuzz/run.sh build/fuzz/fuzzers $(FUZZ_SECONDS) $(FUZZ_JOBS)

test:
	sh tests/run.sh

run: all
	sh tools/stack.sh start

stop:
	sh tools/stack.sh stop
	@if [ -d var/cluster ]; then sh tools/cluster.sh stop; fi

# A local MariaDB Galera cluster (three nodes) and two web nodes on 127.0.0.1 (tools/cluster.sh,
# docs/DEPLOY.md); `make stop` ends it too. Needs galera-4 and rsync.
cluster: all
	sh tools/cluster.sh start

# The cluster test (tests/cluster/): a cluster of its own under var/test/cluster, a database node
# killed under load through both web nodes, exactly-once checks.
test-cluster: all
	sh tests/cluster/run.sh

# The benchmarks' baselines and helpers: bench/*.c, each an executable in $(BUILD)/bench/.
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $< $(LINK_LIBS) $(ALL_LDLIBS) -o $@

# built by `make test` too, so the baselines never rot unseen (they are not run there)
bench-bins: $(BENCH_BIN)

bench: all $(BENCH_BIN)
	sh bench/run.sh

clean:
	rm -rf build

# Installed layout: executables for the web server under libexec, the CLI under sbin, the
# migrations (also embedded in provctl), the web server configs (with this install's paths
# written in) under share, docs under share/doc, an example config where the programs look by
# default (/etc/provision.conf). DESTDIR stages the tree for packaging; nothing is started.
LIBEXECDIR ?= $(PREFIX)/libexec/provision
SBINDIR    ?= $(PREFIX)/sbin
PKGDATADIR ?= $(PREFIX)/share/provision
DOCDIR     ?= $(PREFIX)/share/doc/provision
SYSCONFDIR ?= /etc
INST_CONFS := apache-conf/provision-fcgid.conf apache-conf/provision-proxy-fcgi.conf \
              apache-conf/provision-fcgi@.service apache-conf/htaccess \
              lighttpd-conf/provision-production.conf lighttpd-conf/provision-mounts.conf
INST_DOCS  := README.md $(sort $(shell find docs -type f 2>/dev/null))

install: all
	install -d $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(PKGDATADIR)/sql/migrations \
	  $(DESTDIR)$(PKGDATADIR)/apache-conf $(DESTDIR)$(PKGDATADIR)/lighttpd-conf $(DESTDIR)$(DOCDIR) \
	  $(DESTDIR)$(SYSCONFDIR)
	install -m 0755 $(EXE_BIN) $(DESTDIR)$(LIBEXECDIR)/
	install -m 0755 $(BUILD)/provctl $(DESTDIR)$(SBINDIR)/provctl
	install -m 0644 $(MIGRATIONS) $(DESTDIR)$(PKGDATADIR)/sql/migrations/
	for f in $(INST_CONFS); do \
	  sed -e 's|/usr/local/libexec/provision|$(LIBEXECDIR)|g' \
	      -e 's|/usr/local/share/provision|$(PKGDATADIR)|g' \
	      -e 's|/etc/provision\.conf|$(SYSCONFDIR)/provision.conf|g' $$f >$(DESTDIR)$(PKGDATADIR)/$$f \
	    && chmod 0644 $(DESTDIR)$(PKGDATADIR)/$$f || exit 1; \
	done
	for f in $(INST_DOCS); do \
	  install -D -m 0644 $$f $(DESTDIR)$(DOCDIR)/$${f#docs/} || exit 1; \
	done
	install -m 0644 provision.conf.example $(DESTDIR)$(SYSCONFDIR)/provision.conf.example

# Removes what install put there (never provision.conf itself).
uninstall:
	rm -f $(addprefix $(DESTDIR)$(LIBEXECDIR)/,$(EXES)) $(DESTDIR)$(SBINDIR)/provctl \
	  $(DESTDIR)$(SYSCONFDIR)/provision.conf.example
	rm -rf $(DESTDIR)$(PKGDATADIR) $(DESTDIR)$(DOCDIR)
	-rmdir $(DESTDIR)$(LIBEXECDIR) 2>/dev/null

-include $(LIB_OBJ:.o=.d) $(CTL_OBJ:.o=.d) $(EXES:%=$(BUILD)/obj/cgi-bin/%.d) \
         $(UNIT_SRC:%.c=$(BUILD)/obj/%.d) $(BENCH_SRC:%.c=$(BUILD)/obj/%.d) \
         $(FUZZ_SRC:%.c=$(BUILD)/obj/%.d)

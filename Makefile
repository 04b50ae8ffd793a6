# Builds release binaries with the Swift runtime linked in and installs them for condor_master.
#   make                 build credmon and credmon-web
#   make install         install into $(DESTDIR)$(PREFIX); then see docs/UPGRADING.md
#   make uninstall       remove what install put there (keeps /etc/credmon/providers.d and your keys)
# Variables: DESTDIR, PREFIX (/usr), SBINDIR ($(PREFIX)/sbin), LIBEXECDIR ($(PREFIX)/libexec: the notification script),
#            SYSCONFDIR (/etc), SWIFT (swift).

SWIFT      ?= swift
PREFIX     ?= /usr
SBINDIR    ?= $(PREFIX)/sbin
DOCDIR     ?= $(PREFIX)/share/doc/credmon
LIBEXECDIR ?= $(PREFIX)/libexec
SYSCONFDIR ?= /etc
INSTALL    ?= install

PRODUCTS := credmon credmon-web
BINPATH   = $(shell $(SWIFT) build -c release --show-bin-path)

.PHONY: all build install uninstall
all: build

build:
	SWIFT=$(SWIFT) scripts/build-release $(PRODUCTS)

install: build
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SBINDIR)
	for product in $(PRODUCTS); do \
		$(INSTALL) -m 0755 $(BINPATH)/$$product $(DESTDIR)$(SBINDIR)/$$product || exit 1; \
	done
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/credmon/providers.d
	$(INSTALL) -d -m 0755 $(DESTDIR)$(DOCDIR)/providers.d.examples
	$(INSTALL) -m 0644 deploy/providers.d.examples/*.yaml $(DESTDIR)$(DOCDIR)/providers.d.examples/
	$(INSTALL) -m 0644 deploy/40-credmon.conf docs/UPGRADING.md $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -d -m 0755 $(DESTDIR)$(DOCDIR)/web
	$(INSTALL) -m 0644 deploy/nginx/credmon-web.conf $(DESTDIR)$(DOCDIR)/web/nginx-credmon-web.conf
	$(INSTALL) -m 0644 deploy/apache/credmon-web.conf $(DESTDIR)$(DOCDIR)/web/apache-credmon-web.conf
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/logrotate.d
	$(INSTALL) -m 0644 deploy/logrotate/credmon $(DESTDIR)$(SYSCONFDIR)/logrotate.d/credmon
	$(INSTALL) -d -m 0755 $(DESTDIR)$(LIBEXECDIR)/credmon
	$(INSTALL) -m 0755 deploy/notify/credmon-notify-mail $(DESTDIR)$(LIBEXECDIR)/credmon/credmon-notify-mail
	$(INSTALL) -d -m 0755 $(DESTDIR)$(DOCDIR)/monitoring
	$(INSTALL) -m 0644 deploy/monitoring/credmon-alerts.yml deploy/monitoring/credmon-dashboard.json deploy/monitoring/README.md $(DESTDIR)$(DOCDIR)/monitoring/
	@# The HTCondor snippet is not enabled behind the admin's back: it lands in the doc directory; copy it to
	@# $(SYSCONFDIR)/condor/config.d/ (or change the one CREDMON_OAUTH line) when you switch.
	@echo "installed $(PRODUCTS) into $(DESTDIR)$(SBINDIR); next: docs/UPGRADING.md"

uninstall:
	for product in credmon credmon-web; do rm -f $(DESTDIR)$(SBINDIR)/$$product; done
	rm -rf $(DESTDIR)$(DOCDIR) $(DESTDIR)$(LIBEXECDIR)/credmon
	rm -f $(DESTDIR)$(SYSCONFDIR)/logrotate.d/credmon

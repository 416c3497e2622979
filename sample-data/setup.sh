#!/usr/bin/env bash
# Builds a complete alert configuration from the shell: two clients, three sites, six contacts,
# two collaborators, two products, two contracts with services, links at all five sources, and
# alerts switched on. Usage: ALERTCTL_DB=demo.db bash sample-data/setup.sh
set -euo pipefail
a() { alertctl "$@"; }

a init

a client add ACME --name "Acme Industries"
a client add GLOBEX --name "Globex Corporation" --language en
a client alerts ACME --event open --enable --keyword "[ACME support]"
a client alerts ACME --event resolution --enable --keyword "[ACME support]"
a client alerts ACME --event closure_external --enable --keyword "[ACME support]" --format html
a client alerts GLOBEX --event open --enable --keyword "[Globex]" --template default-open-en
a client alerts GLOBEX --event status_change --enable --keyword "[Globex]"

a site add ACME PARIS --name "Paris head office" --main
a site add ACME LYON --name "Lyon plant"
a site add GLOBEX SPRINGFIELD --name "Springfield"

a contact add alice --client ACME --name "Alice Martin" --site PARIS \
  --email alice@acme.example --fax "+33 1 45 00 00 01"
a contact add bruno --client ACME --name "Bruno Petit" --site LYON --email bruno@acme.example
a contact add chloe --client ACME --name "Chloé Durand" --site PARIS --site LYON \
  --email chloe@acme.example
a contact add dan --client GLOBEX --name "Dan Smith" --site SPRINGFIELD --email dan@globex.example
a contact add erin --client GLOBEX --name "Erin Jones" --fax "+1 217 555 0100"
a contact add fanny --client ACME --name "Fanny Roux" --email fanny@acme.example

a collaborator add jdu --name "Jean Dupont" --email jdu@support.example
a collaborator add mle --name "Marie Leroy" --email mle@support.example --fax "01 45 00 00 99"

a contact alerts alice --on open,resolution,closure_external
a contact alerts bruno --on open,status_change
a contact alerts chloe --on resolution,closure_external
a contact alerts dan --on open,status_change
a contact alerts erin --on open
a contact alerts fanny --on open
a collaborator alerts jdu --on open,resolution,closure_external,closure_internal,status_change
a collaborator alerts mle --on resolution
a contact reception alice --fax off

a product add ERP --name "ERP Suite"
a product add CRM --name "CRM Cloud"

a contract add K1 --client ACME --name "ACME premium support" --product ERP --product CRM \
  --beneficiary GLOBEX
a contract add K2 --client GLOBEX --name "Globex standard support" --product CRM
a service add K1 PREMIUM --name "Premium maintenance"
a service add K1 HOTLINE --name "Hotline"
a service add K2 STANDARD --name "Standard maintenance"

a link product ERP --collaborator jdu
a link product CRM --contact dan
a link site ACME/LYON --contact bruno
a link contract K1 --contact alice
a link contract K2 --collaborator mle
a link service K1/PREMIUM --contact chloe
a link service K1/PREMIUM --collaborator mle
a link client ACME --contact alice
a link client ACME --contact fanny
a link client GLOBEX --contact erin

a contract enable K1
a contract enable K2 --source product,contract,service

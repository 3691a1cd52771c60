// Deterministic demo and benchmark data generator. See generator.h.
//
// Design notes:
//  - Every row draws from its own PRNG stream, seeded from (seed, file, row
//    index) with splitmix64, so rows do not depend on each other's draws.
//  - Only integer arithmetic is used (no floating point, no libm, no
//    <random> distributions), so output is identical across compilers and
//    standard libraries.
//  - Emails are unique by construction, without remembering them: the k-th
//    person of name pool p at account a gets the name combination
//    (off + k * mult) mod C (a bijection of k over the pool's C first x last
//    combinations, keyed by (a, p)), plus a numeric suffix k / C when the pool
//    is exhausted. First names are unique across pools after ASCII folding,
//    last names within a pool, so "first.last[N]@domain" never repeats.
//    Generic role addresses (info@, ...) are numbered per account, second
//    (personal) emails carry a per-person unique number. Account domains carry
//    a unique number, so they never equal each other or a personal domain.
//  - Per-account state: domain, a people counter per name pool, a generic
//    address counter and up to four person references (for events.csv).
#include "gen/generator.h"

#include "core/time.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <numeric>
#include <span>
#include <string_view>
#include <system_error>
#include <tuple>
#include <utility>

namespace fairlead::gen {
namespace {

// ---------------------------------------------------------------------------
// Constants.

constexpr int64_t kMinute = 60;
constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;
constexpr int64_t kEventWindow = 120 * kDay;
constexpr int64_t kCollectWindow = 3 * 365 * kDay;
constexpr int64_t kPurchaseWindow = 36 * 30 * kDay;
constexpr int64_t kNoticePeriod = 273 * kDay;  // a new notice every ~9 months
constexpr int64_t kMinAsOf = 946684800;        // 2000-01-01T00:00:00Z
constexpr int64_t kMaxAsOf = 253402300799;     // 9999-12-31T23:59:59Z
constexpr uint64_t kMaxPeople = 4000000000ULL;
constexpr uint64_t kMaxEvents = 1ULL << 40;
constexpr uint64_t kProgressEvery = 1 << 16;
constexpr size_t kMaxRowBytes = 4096;  // upper bound of one formatted row

// Stream identifiers mixed into the seed.
constexpr uint64_t kStreamAccounts = 1;
constexpr uint64_t kStreamPeople = 2;
constexpr uint64_t kStreamEvents = 3;
constexpr uint64_t kStreamNames = 4;
constexpr uint64_t kStreamAccountTraits = 5;
constexpr uint64_t kStreamPermutations = 6;

constexpr int kRefSlots = 4;            // person references kept per account
constexpr int kRefPoolShift = 28;       // ref = pool << 28 | k
constexpr uint32_t kRefKMask = (1u << kRefPoolShift) - 1;
constexpr uint32_t kGenericPool = 15;   // ref pool value of role addresses

// ---------------------------------------------------------------------------
// Vocabularies.

struct Weighted {
  const char* name;
  uint32_t weight;
};

constexpr Weighted kIndustries[] = {
    {"Software", 150},          {"IT Services", 70},     {"Financial Services", 60},
    {"Banking", 35},            {"Insurance", 35},       {"Healthcare", 55},
    {"Pharmaceuticals", 30},    {"Manufacturing", 80},   {"Automotive", 35},
    {"Retail", 55},             {"E-commerce", 40},      {"Telecommunications", 30},
    {"Energy", 30},             {"Logistics", 40},       {"Media", 35},
    {"Education", 35},          {"Government", 20},      {"Real Estate", 30},
    {"Construction", 35},       {"Consulting", 60},
};

constexpr Weighted kSeniorities[] = {
    {"entry", 300}, {"senior", 270}, {"manager", 200},
    {"director", 110}, {"vp", 70}, {"cxo", 50},
};

constexpr Weighted kFunctions[] = {
    {"engineering", 160}, {"it", 100},       {"security", 60},   {"marketing", 110},
    {"sales", 140},       {"finance", 80},   {"hr", 60},         {"operations", 90},
    {"legal", 30},        {"product", 60},   {"support", 70},    {"executive", 40},
};

// Titles by [function][seniority][variant]; consistent with both.
constexpr const char* kTitles[12][6][2] = {
    {{"Software Engineer", "Developer"},
     {"Senior Software Engineer", "Staff Engineer"},
     {"Engineering Manager", "Team Lead, Engineering"},
     {"Director of Engineering", "Head of Engineering"},
     {"VP Engineering", "VP, Engineering"},
     {"CTO", "Chief Technology Officer"}},
    {{"IT Specialist", "System Administrator"},
     {"Senior System Administrator", "IT Architect"},
     {"IT Manager", "IT Operations Manager"},
     {"Director of IT", "Head of IT"},
     {"VP IT", "VP Information Technology"},
     {"CIO", "Chief Information Officer"}},
    {{"Security Analyst", "SOC Analyst"},
     {"Senior Security Engineer", "Security Architect"},
     {"Security Manager", "SOC Manager"},
     {"Director of Security", "Head of Information Security"},
     {"VP Security", "VP, Information Security"},
     {"CISO", "Chief Information Security Officer"}},
    {{"Marketing Specialist", "Marketing Coordinator"},
     {"Senior Marketing Specialist", "Demand Generation Specialist"},
     {"Marketing Manager", "Campaign Manager"},
     {"Director of Marketing", "Head of Marketing"},
     {"VP Marketing", "VP, Demand Generation"},
     {"CMO", "Chief Marketing Officer"}},
    {{"Sales Development Representative", "Inside Sales Representative"},
     {"Account Executive", "Senior Account Executive"},
     {"Sales Manager", "Regional Sales Manager"},
     {"Director of Sales", "Head of Sales"},
     {"VP Sales", "VP, Sales"},
     {"CRO", "Chief Revenue Officer"}},
    {{"Financial Analyst", "Accountant"},
     {"Senior Financial Analyst", "Senior Accountant"},
     {"Finance Manager", "Controller"},
     {"Director of Finance", "Head of Finance"},
     {"VP Finance", "VP, Finance"},
     {"CFO", "Chief Financial Officer"}},
    {{"HR Generalist", "Recruiter"},
     {"Senior HR Business Partner", "Senior Recruiter"},
     {"HR Manager", "Talent Acquisition Manager"},
     {"Director of People", "Head of HR"},
     {"VP People", "VP Human Resources"},
     {"CHRO", "Chief People Officer"}},
    {{"Operations Analyst", "Operations Coordinator"},
     {"Senior Operations Analyst", "Business Operations Specialist"},
     {"Operations Manager", "Supply Chain Manager"},
     {"Director of Operations", "Head of Operations"},
     {"VP Operations", "VP, Operations"},
     {"COO", "Chief Operating Officer"}},
    {{"Paralegal", "Legal Counsel"},
     {"Senior Legal Counsel", "Senior Compliance Officer"},
     {"Legal Manager", "Privacy Manager"},
     {"Director of Legal", "Head of Legal"},
     {"VP Legal", "Deputy General Counsel"},
     {"General Counsel", "Chief Legal Officer"}},
    {{"Associate Product Manager", "Product Analyst"},
     {"Senior Product Manager", "Product Owner"},
     {"Group Product Manager", "Product Lead"},
     {"Director of Product", "Head of Product"},
     {"VP Product", "VP, Product Management"},
     {"CPO", "Chief Product Officer"}},
    {{"Support Engineer", "Customer Support Specialist"},
     {"Senior Support Engineer", "Customer Success Manager"},
     {"Support Manager", "Customer Success Team Lead"},
     {"Director of Customer Support", "Head of Customer Success"},
     {"VP Customer Success", "VP, Support"},
     {"Chief Customer Officer", "CCO"}},
    {{"Executive Assistant", "Office Manager"},
     {"Senior Executive Assistant", "Chief of Staff"},
     {"General Manager", "Business Unit Manager"},
     {"Managing Director", "Executive Director"},
     {"Executive Vice President", "Senior Vice President"},
     {"CEO", "Founder & CEO"}},
};

constexpr const char* kEmployeeBands[] = {"1-10",     "11-50",     "51-200",     "201-500",
                                          "501-1000", "1001-5000", "5001-10000", "10001+"};
constexpr const char* kRevenueBands[] = {"<1M",        "1M-10M",  "10M-50M", "50M-100M",
                                         "100M-500M", "500M-1B", "1B-10B",  "10B+"};

// Most popular first; drawn with a skewed (u^2) index.
constexpr const char* kTechnologies[] = {
    "aws", "microsoft-365", "google-workspace", "salesforce", "slack", "azure", "kubernetes",
    "docker", "github", "jira", "confluence", "terraform", "google-cloud", "hubspot", "zoom",
    "okta", "postgresql", "mysql", "react", "python", "java", "nodejs", "cloudflare", "datadog",
    "snowflake", "tableau", "power-bi", "servicenow", "zendesk", "workday", "sap",
    "oracle-database", "mongodb", "redis", "elasticsearch", "kafka", "gitlab", "jenkins",
    "ansible", "vmware", "crowdstrike", "palo-alto-networks", "zscaler", "splunk", "new-relic",
    "grafana", "prometheus", "pagerduty", "sentry", "stripe", "shopify", "marketo", "pardot",
    "mailchimp", "intercom", "freshdesk", "asana", "monday", "notion", "trello", "dropbox", "box",
    "docusign", "adobe-experience-cloud", "google-analytics", "segment", "mixpanel", "amplitude",
    "looker", "dbt", "airflow", "databricks", "bigquery", "redshift", "fivetran", "spark",
    "hadoop", "openshift", "rancher", "helm", "argocd", "istio", "envoy", "nginx", "apache-httpd",
    "haproxy", "f5", "fortinet", "cisco-meraki", "cisco-umbrella", "juniper", "aruba",
    "sentinelone", "microsoft-defender", "sophos", "trend-micro", "tenable", "qualys", "rapid7",
    "wiz", "snyk", "sonarqube", "veracode", "checkmarx", "hashicorp-vault", "cyberark",
    "1password", "lastpass", "duo", "ping-identity", "auth0", "keycloak", "netskope", "proofpoint",
    "mimecast", "knowbe4", "darktrace", "vectra", "sumo-logic", "elastic-security",
    "microsoft-sentinel", "google-chronicle", "aws-guardduty", "lacework", "orca-security",
    "aqua-security", "sysdig", "twistlock", "circleci", "travis-ci", "bitbucket", "azure-devops",
    "teamcity", "octopus-deploy", "pulumi", "chef", "puppet", "saltstack", "nomad", "consul",
    "vagrant", "packer", "aws-lambda", "azure-functions", "cloud-run", "fastly", "akamai",
    "vercel", "netlify", "heroku", "digitalocean", "linode", "ovhcloud", "hetzner", "ibm-cloud",
    "alibaba-cloud", "netsuite", "quickbooks", "xero", "sage", "dynamics-365", "zoho-crm",
    "pipedrive", "outreach", "salesloft", "gong", "zoominfo", "apollo",
    "linkedin-sales-navigator", "6sense", "demandbase", "bombora", "g2", "drift", "qualtrics",
    "surveymonkey", "typeform", "contentful", "wordpress", "drupal", "webflow", "magento",
    "bigcommerce", "woocommerce", "twilio", "sendgrid", "vonage", "ringcentral",
    "microsoft-teams", "webex", "miro", "figma", "canva", "sketch", "bamboohr", "personio",
    "greenhouse", "lever", "gusto", "deel", "rippling", "successfactors", "coupa", "ariba",
    "anaplan", "uipath", "automation-anywhere", "zapier", "mulesoft", "boomi",
};

// Weight = share as the primary interest of an account with intent.
constexpr Weighted kTopics[] = {
    {"security", 250},      {"cloud", 130},         {"data", 110},
    {"ai", 110},            {"devops", 70},         {"networking", 50},
    {"crm", 60},            {"marketing-automation", 50},
    {"collaboration", 40},  {"hr-tech", 30},        {"finance-tech", 30},
    {"observability", 70},
};

constexpr Weighted kVendors[] = {
    {"aegis", 200}, {"nimbus", 170}, {"quarry", 140}, {"beacon", 130},
    {"sparrow", 110}, {"helix", 100}, {"tundra", 80}, {"meridian", 70},
};

constexpr Weighted kPurchaseFamilies[] = {
    {"security", 250}, {"cloud", 200}, {"data", 170}, {"ai", 90},
    {"devops", 90},    {"networking", 70}, {"collaboration", 70}, {"crm", 60},
};

constexpr const char* kRoleAddresses[] = {"info",    "sales", "contact", "office",    "hello",
                                          "support", "team",  "admin",   "marketing", "enquiries"};
constexpr int kRoleCount = 10;

constexpr const char* kDomainPrefixes[] = {
    "blue",  "north", "silver", "iron",  "bright", "clear", "swift",  "red",   "green", "quantum",
    "nova",  "terra", "aero",   "hydro", "cyber",  "data",  "cloud",  "stone", "oak",   "pine",
    "river", "summit", "true",  "prime", "alpine", "coast", "delta",  "echo",  "polar", "solar",
    "lumen", "vertex", "apex",  "core",  "nimbus", "atlas", "orbit",  "pixel", "signal", "harbor",
    "nord",  "sonnen", "wald",  "lac",   "mont",   "vento", "kilo",   "fjord", "sakura", "indigo",
};
constexpr const char* kDomainSuffixes[] = {
    "peak",  "stack", "works",  "labs",  "soft",  "logic", "forge", "wave",  "bridge", "point",
    "field", "line",  "gate",   "path",  "craft", "ware",  "scale", "sphere", "grid",  "hub",
    "mind",  "flow",  "base",   "link",  "shift", "spark", "vision", "tek",  "metrics", "ly",
    "wind",  "feld",  "berg",   "haus",  "mark",  "vale",  "port",  "nest",  "loop",  "cast",
};
constexpr const char* kNameDescriptors[] = {
    "Software",  "Systems",   "Technologies", "Solutions", "Consulting",
    "Group",     "Labs",      "Digital",      "Networks",  "Partners",
};

// Name pools: which first/last name lists a country draws from.
enum NamePoolId {
  kAnglo, kGerman, kDutch, kFrench, kNordic, kIberian,
  kItalian, kSlavic, kJapanese, kIndian, kHebrew, kPoolCount
};

constexpr const char* kAngloFirst[] = {
    "James",   "Mary",     "John",    "Patricia", "Robert",  "Jennifer", "Michael",  "Linda",
    "William", "Elizabeth", "David",  "Barbara",  "Richard", "Susan",    "Joseph",   "Jessica",
    "Thomas",  "Sarah",    "Christopher", "Karen", "Daniel",  "Nancy",   "Matthew",  "Lisa",
    "Anthony", "Emily",    "Mark",    "Ashley",   "Steven",  "Michelle", "Andrew",   "Amanda",
    "Joshua",  "Melissa",  "Kevin",   "Stephanie", "Brian",  "Rebecca",  "Ryan",     "Laura",
    "Jacob",   "Rachel",   "Nicholas", "Hannah",  "Tyler",   "Olivia",   "Ethan",    "Chloe",
    "Liam",    "Grace",    "Oliver",  "Zoë",      "Aidan",   "Siobhan",  "Connor",   "Niamh",
    "Harry",   "Amelia",   "Jack",    "Isla",
};
constexpr const char* kAngloLast[] = {
    "Smith",    "Johnson",  "Williams", "Brown",    "Jones",    "Miller",   "Davis",   "Wilson",
    "Anderson", "Taylor",   "Thomas",   "Moore",    "Jackson",  "Martin",   "Lee",     "Thompson",
    "White",    "Harris",   "Clark",    "Lewis",    "Robinson", "Walker",   "Young",   "Allen",
    "King",     "Wright",   "Scott",    "Green",    "Baker",    "Adams",    "Nelson",  "Hill",
    "Campbell", "Mitchell", "Roberts",  "Carter",   "Phillips", "Evans",    "Turner",  "Parker",
    "Collins",  "Edwards",  "Stewart",  "Morris",   "Murphy",   "Cook",     "Rogers",  "Morgan",
    "Cooper",   "Peterson", "Reed",     "Bailey",   "Kelly",    "Howard",   "Ward",    "Cox",
    "Richardson", "Wood",   "Watson",   "O'Brien",  "Brooks",   "Bennett",  "Gray",    "Hughes",
    "Price",    "Sanders",  "Patel",    "Nguyen",   "Kim",      "Chen",
};
constexpr const char* kGermanFirst[] = {
    "Lukas",   "Leon",    "Maximilian", "Felix",  "Jonas",   "Elias",   "Finn",    "Jürgen",
    "Jörg",    "Stefan",  "Andreas",  "Matthias", "Tobias",  "Florian", "Sebastian", "Markus",
    "Christian", "Wolfgang", "Uwe",   "Klaus",    "Dieter",  "Gerhard",  "Horst",   "Ralf",
    "Anna",    "Lena",    "Lea",      "Marie",    "Katharina", "Julia", "Sabine",  "Petra",
    "Ursula",  "Claudia", "Susanne",  "Monika",   "Birgit",  "Jana",    "Katrin",   "Mia",
    "Leonie",  "Johanna", "Frauke",   "Heike",    "Doris",
};
constexpr const char* kGermanLast[] = {
    "Müller",   "Schmidt",  "Schneider", "Fischer",  "Weber",    "Meyer",    "Wagner",   "Becker",
    "Schulz",   "Hoffmann", "Schreiber",   "Koch",     "Bauer",    "Richter",  "Klein",    "Wolf",
    "Schröder", "Neumann",  "Schwarz",   "Zimmermann", "Braun",  "Kraft",   "Hofmann",  "Hartmann",
    "Lange",    "Schmitt",  "Werner",    "Schmitz",  "Krause",   "Meier",    "Lehmann",  "Schmid",
    "Schulze",  "Maier",    "Kolb",    "Herrmann", "Kuhn",    "Walter",   "Mayer",    "Huber",
    "Kaiser",   "Fuchs",    "Peters",    "Lang",     "Weiß",     "Graf",     "Berger",     "Vogel",
    "Friedrich", "Keller",
};
constexpr const char* kDutchFirst[] = {
    "Jan",   "Pieter", "Sander", "Bram",   "Daan",  "Sem",   "Thijs",   "Ruben",
    "Joost", "Maarten", "Wouter", "Bas",   "Koen",  "Jeroen", "Stijn",  "Lotte",
    "Sanne", "Femke",  "Anouk",  "Eva",    "Fleur", "Iris",  "Noor",    "Roos",
    "Lieke", "Marloes", "Esther", "Ilse",  "Inge",  "Mieke",
};
constexpr const char* kDutchLast[] = {
    "de Jong",   "Jansen",  "de Vries",  "van den Berg", "van Dijk", "Bakker",   "Janssen",
    "Visser",    "Smit",    "Meijer",    "de Boer",      "Mulder",   "de Groot", "Bos",
    "Vos",       "Peters",  "Hendriks",  "van Leeuwen",  "Dekker",   "Brouwer",  "de Wit",
    "Dijkstra",  "Smits",   "de Graaf",  "van der Meer", "van der Linden", "Kok", "Jacobs",
    "de Haan",   "Vermeulen", "Claes",   "Maes",         "Peeters",  "Wouters",
};
constexpr const char* kFrenchFirst[] = {
    "Jean",     "Pierre",  "Michel",   "Philippe", "Alain",   "Nicolas",  "François", "Jérôme",
    "Vincent", "Julien", "Mathieu",  "Antoine",  "Guillaume", "Olivier",   "Hugo",     "Louis",
    "Gabriel",  "Arthur",  "Romain",  "Fabien",   "Jean-Luc", "Camille", "Hélène",   "Émilie",
    "Claire",   "Manon",   "Sophie",     "Juliette", "Margaux", "Pauline",   "Sandrine", "Nathalie",
    "Isabelle", "Audrey", "Anne-Sophie", "Mathilde",
};
constexpr const char* kFrenchLast[] = {
    "Martin",   "Bernard", "Dubois",   "Thomas",  "Robert",   "Richard", "Petit",    "Durand",
    "Leroy",    "Moreau",  "Simon",    "Laurent", "Lefèvre",  "Michel",  "Garcia",   "David",
    "Bertrand", "Roux",    "Vincent",  "Fournier", "Morel",   "Girard",  "Lemaire",    "Lefebvre",
    "Mercier",  "Dupont",  "Lambert",  "Bonnet",  "Fontaine", "Martinez", "Legrand", "Garnier",
    "Faure",    "Rousseau", "Blanc",   "Gauthier",
};
constexpr const char* kNordicFirst[] = {
    "Lars",   "Anders", "Erik",   "Johan",  "Mikael", "Nils",   "Magnus", "Henrik", "Søren",
    "Jesper", "Bjørn",  "Mads",   "Rasmus", "Jens",   "Ole",    "Kasper", "Mikko",  "Juha",
    "Jukka",  "Timo",   "Antti",  "Åsa",    "Ingrid", "Astrid", "Sigrid", "Karin",  "Kirsten",
    "Mette",  "Sanna",  "Aino",   "Liisa",  "Freja",  "Maja",   "Elin",   "Siv",    "Ebba",
};
constexpr const char* kNordicLast[] = {
    "Hansen",    "Johansen",  "Nielsen",  "Jensen",   "Pedersen",   "Andersen",   "Larsen",
    "Sørensen",  "Rasmussen", "Christensen", "Andersson", "Johansson", "Karlsson", "Nilsson",
    "Eriksson",  "Larsson",   "Olsson",   "Persson",  "Svensson",   "Gustafsson", "Lindström",
    "Bergman", "Lund",     "Holm",    "Korhonen", "Virtanen",   "Mäkinen",    "Nieminen",
    "Lehtonen",    "Koskinen", "Laine",   "Heikkinen", "Haugen",    "Berg",       "Dahl",
    "Ærø",
};
constexpr const char* kIberianFirst[] = {
    "José",    "Antonio", "Manuel",   "Francisco", "Javier", "Carlos",  "Alejandro", "Pablo",
    "Sergio",  "Jorge",   "Alberto",   "Diego",     "Rafael", "Miguel",  "João",      "Pedro",
    "Tiago",   "Bruno", "Rui",      "Ricardo",      "Lucas",  "María",   "Carmen",    "Adriana",
    "Isabel",  "Carolina",   "Paula",    "Marta",     "Elena",  "Cristina", "Ana",      "Beatriz",
    "Mariana", "Fernanda", "Camila",  "Larissa",
};
constexpr const char* kIberianLast[] = {
    "García",   "Castro", "Ortega", "Delgado", "Vargas",    "Martínez", "Serrano",
    "Molina",    "Blanco",     "Morales",   "Ramos",   "Ruiz",     "Gil", "Vidal",
    "Moreno",   "Cruz",     "Medina",  "Romero",    "Navarro",  "Torres",   "Silva",
    "Santos",   "Ferreira",  "Pereira",  "Oliveira",  "Costa",    "Rodrigues", "Martins",
    "Sousa",    "Gonçalves", "Almeida",  "Carvalho",  "Lima",     "Ribeiro",  "Barbosa",
    "Rocha",
};
constexpr const char* kItalianFirst[] = {
    "Giuseppe", "Giovanni", "Marco",    "Alessandro", "Andrea",   "Francesco", "Luca",
    "Matteo",   "Lorenzo",  "Davide",   "Simone",     "Federico", "Riccardo",  "Stefano",
    "Nicola",   "Giulia",   "Chiara",   "Francesca",  "Sara",     "Valentina", "Alessia",
    "Martina",  "Elisa",    "Silvia",   "Federica",   "Giorgia",  "Roberta",   "Niccolò",
    "Ilaria",   "Beatrice",
};
constexpr const char* kItalianLast[] = {
    "Rossi",    "Russo",    "Ferrari",  "Esposito", "Bianchi", "Romano",   "Colombo", "Ricci",
    "Marino",   "Greco",    "Bruno",    "Gallo",    "Conti",   "De Luca",  "Mancini", "Costa",
    "Giordano", "Rizzo",    "Lombardi", "Moretti",  "Barbieri", "Fontana", "Santoro", "Mariani",
    "Rinaldi",  "Caruso",   "Ferrara",  "Galli",    "Martini", "Leone",    "Longo",   "Gentile",
    "Cattaneo", "Fabbri",
};
constexpr const char* kSlavicFirst[] = {
    "Łukasz",    "Piotr",     "Krzysztof", "Tomasz",   "Paweł",   "Adam",    "Marcin",
    "Jakub",     "Kamil",     "Wojciech",  "Mateusz",  "Agnieszka", "Katarzyna", "Ewa",
    "Magdalena", "Joanna",    "Aleksandra", "Zofia",   "Jiří",    "Petr",      "Martin",
    "Filip",    "Jaroslav",  "Pavel",     "Lucie",    "Tereza",  "Veronika",  "Klara",
    "Barbora",   "Radek",
};
constexpr const char* kSlavicLast[] = {
    "Nowak",     "Kowalski",  "Nowicki", "Wójcik",  "Kowalczyk", "Pawlak", "Lewandowski",
    "Michalski", "Sikora", "Baran",    "Adamczyk", "Mazurek", "Jankowski", "Mazur",
    "Krawczyk",  "Novák",     "Svoboda",    "Fiala", "Dvořák",    "Urban",    "Beran",
    "Holub",    "Zeman",    "Kaczmarek",      "Grabowski",   "Wieczorek",   "Marek",    "Majewski",
    "Olszewski",     "Malinowski",
};
constexpr const char* kJapaneseFirst[] = {
    "Hiroshi", "Takashi", "Kenji",  "Yuki",   "Haruto", "Sota",   "Yuto",   "Ren",   "Daiki",
    "Kazuki",  "Takumi",  "Shota",  "Akira",  "Kenta",  "Yui",    "Aoi",    "Sakura", "Hina",
    "Yuna",    "Mio",     "Rin",    "Miyu",   "Haruka", "Ayaka",  "Misaki",
};
constexpr const char* kJapaneseLast[] = {
    "Sato",     "Suzuki",    "Takahashi", "Tanaka",  "Watanabe", "Ito",     "Yamamoto",
    "Nakamura", "Kobayashi", "Kato",      "Yoshida", "Yamada",   "Sasaki",  "Yamaguchi",
    "Matsumoto", "Inoue",    "Kimura",    "Hayashi", "Shimizu",  "Yamazaki", "Mori",
    "Abe",      "Ikeda",     "Hashimoto", "Ishikawa",
};
constexpr const char* kIndianFirst[] = {
    "Rahul",   "Amit",   "Rajesh", "Suresh", "Vikram",  "Arjun",  "Rohan",  "Sanjay", "Anil",
    "Deepak",  "Karthik", "Aditya", "Priya", "Ananya",  "Divya",  "Kavya",  "Neha",   "Pooja",
    "Sneha",   "Lakshmi", "Meera",  "Aisha", "Wei Ling", "Jia Hui", "Kai",  "Xin Yi", "Mei",
    "Jun Jie", "Hui Min", "Zhi Hao",
};
constexpr const char* kIndianLast[] = {
    "Sharma", "Patel",  "Singh",  "Kumar",     "Gupta",     "Reddy",      "Iyer",   "Nair",
    "Rao",    "Mehta",  "Shah",   "Joshi",     "Verma",     "Menon",      "Pillai", "Bhat",
    "Das",    "Chatterjee", "Banerjee", "Mukherjee", "Desai", "Kapoor",    "Agarwal", "Tan",
    "Lim",    "Lee",    "Ng",     "Wong",      "Goh",       "Chua",
};
constexpr const char* kHebrewFirst[] = {
    "Yosef", "Noam", "Itai",  "Omer",  "Ariel", "Eitan", "Yonatan", "Tal",  "Lior", "Avi",
    "Moshe", "Yael", "Noa",   "Shira", "Tamar", "Maya",  "Roni",    "Adi",  "Dana", "Hila",
    "Ayelet", "Gal",
};
constexpr const char* kHebrewLast[] = {
    "Cohen",  "Levi",     "Mizrahi", "Peretz",  "Biton",    "Dahan",   "Avraham",
    "Friedman", "Azoulay", "Malka",  "Katz",    "Shapiro",  "Ben-David", "Goldberg",
    "Rosen",  "Amar",     "Ohana",   "Segal",   "Weiss",    "Shalom",
};

struct NamePoolSpec {
  std::span<const char* const> first;
  std::span<const char* const> last;
};

constexpr NamePoolSpec kNamePools[kPoolCount] = {
    {kAngloFirst, kAngloLast},       {kGermanFirst, kGermanLast},
    {kDutchFirst, kDutchLast},       {kFrenchFirst, kFrenchLast},
    {kNordicFirst, kNordicLast},     {kIberianFirst, kIberianLast},
    {kItalianFirst, kItalianLast},   {kSlavicFirst, kSlavicLast},
    {kJapaneseFirst, kJapaneseLast}, {kIndianFirst, kIndianLast},
    {kHebrewFirst, kHebrewLast},
};

// Phone patterns produce E.164 numbers: literal characters, '#' for any digit
// and "[..]" for a digit class (ranges allowed). Mobile ranges first, then
// major-city landlines; all follow the national numbering plans.
struct CountrySpec {
  const char* code;
  uint32_t weight;  // share of people (and of account HQs), per 10,000-ish
  NamePoolId pool;
  const char* tld;
  std::array<const char*, 6> phones;
  std::array<const char*, 6> cities;
  std::array<const char*, 4> personal_domains;
  std::array<const char*, 3> legal_forms;  // appended to the account name
};

constexpr CountrySpec kCountries[] = {
    {"DE", 1000, kGerman, "de",
     {"+4915[1257]########", "+4917[0-5]#######", "+49176########", "+4930[2-9]#######",
      "+4989[2-9]#######", "+4940[2-9]#######"},
     {"Berlin", "München", "Hamburg", "Frankfurt am Main", "Köln", "Stuttgart"},
     {"gmx.de", "web.de", "t-online.de", "gmail.com"},
     {" GmbH", " AG", " SE"}},
    {"FR", 700, kFrench, "fr",
     {"+336[0-24-8]#######", "+337[3-8]#######", "+331[4-7]#######"},
     {"Paris", "Lyon", "Toulouse", "Nantes", "Bordeaux", "Lille"},
     {"orange.fr", "free.fr", "laposte.net", "gmail.com"},
     {" SAS", " SA", " SARL"}},
    {"GB", 1000, kAnglo, "co.uk",
     {"+4477[1-7]#######", "+4479[4-9]#######", "+4478[4-9]#######", "+4420[378]#######",
      "+44161[2-9]######"},
     {"London", "Manchester", "Birmingham", "Edinburgh", "Bristol", "Leeds"},
     {"gmail.com", "btinternet.com", "outlook.com", "yahoo.co.uk"},
     {" Ltd", " Limited", " PLC"}},
    {"NL", 400, kDutch, "nl",
     {"+316[1-5]#######", "+3120[3-8]######"},
     {"Amsterdam", "Rotterdam", "Utrecht", "Eindhoven", "Den Haag"},
     {"ziggo.nl", "kpnmail.nl", "gmail.com", "outlook.com"},
     {" B.V.", " N.V."}},
    {"BE", 200, kDutch, "be",
     {"+324[5-9]#######", "+322[2-7]######"},
     {"Brussel", "Antwerpen", "Gent", "Liège", "Leuven"},
     {"telenet.be", "skynet.be", "gmail.com", "outlook.com"},
     {" BV", " NV", " SA"}},
    {"ES", 300, kIberian, "es",
     {"+346########", "+3491[2-9]######"},
     {"Madrid", "Barcelona", "Valencia", "Sevilla", "Málaga", "Bilbao"},
     {"gmail.com", "hotmail.es", "yahoo.es", "outlook.com"},
     {" S.L.", " S.A."}},
    {"IT", 300, kItalian, "it",
     {"+393[2-9]########", "+3902[2-9]#######", "+3906[2-5]#######"},
     {"Milano", "Roma", "Torino", "Bologna", "Firenze", "Napoli"},
     {"libero.it", "gmail.com", "virgilio.it", "alice.it"},
     {" S.r.l.", " S.p.A."}},
    {"AT", 150, kGerman, "at",
     {"+43664#######", "+43676#######", "+43699########", "+431[2-9]######"},
     {"Wien", "Graz", "Linz", "Salzburg", "Innsbruck"},
     {"gmx.at", "aon.at", "gmail.com", "outlook.com"},
     {" GmbH", " AG"}},
    {"DK", 100, kNordic, "dk",
     {"+452#######", "+4540######", "+453[2-9]######"},
     {"København", "Aarhus", "Odense", "Aalborg"},
     {"gmail.com", "hotmail.com", "outlook.dk", "icloud.com"},
     {" ApS", " A/S"}},
    {"FI", 80, kNordic, "fi",
     {"+35840#######", "+35850#######", "+3589[2-8]######"},
     {"Helsinki", "Espoo", "Tampere", "Oulu", "Turku"},
     {"gmail.com", "hotmail.com", "outlook.com", "icloud.com"},
     {" Oy", " Oyj"}},
    {"SE", 150, kNordic, "se",
     {"+467[02369]#######", "+468[2-9]######"},
     {"Stockholm", "Göteborg", "Malmö", "Uppsala"},
     {"gmail.com", "telia.com", "hotmail.com", "outlook.com"},
     {" AB"}},
    {"PL", 200, kSlavic, "pl",
     {"+4850#######", "+4860#######", "+4869#######", "+4872#######", "+4822[2-9]######"},
     {"Warszawa", "Kraków", "Wrocław", "Gdańsk", "Poznań"},
     {"wp.pl", "onet.pl", "o2.pl", "gmail.com"},
     {" sp. z o.o.", " S.A."}},
    {"IE", 120, kAnglo, "ie",
     {"+3538[35-7]#######", "+3531[2-9]######"},
     {"Dublin", "Cork", "Galway", "Limerick"},
     {"gmail.com", "eircom.net", "outlook.com", "icloud.com"},
     {" Ltd", " DAC"}},
    {"CH", 150, kGerman, "ch",
     {"+417[5-9]#######", "+4144[2-9]######", "+4122[2-9]######"},
     {"Zürich", "Genève", "Basel", "Bern", "Lausanne"},
     {"bluewin.ch", "gmx.ch", "gmail.com", "outlook.com"},
     {" AG", " GmbH", " SA"}},
    {"NO", 80, kNordic, "no",
     {"+479#######", "+474[0158]######", "+472[1-4]######"},
     {"Oslo", "Bergen", "Trondheim", "Stavanger"},
     {"gmail.com", "online.no", "hotmail.com", "outlook.com"},
     {" AS", " ASA"}},
    {"PT", 80, kIberian, "pt",
     {"+3519[1236]#######", "+35121#######"},
     {"Lisboa", "Porto", "Braga", "Coimbra"},
     {"sapo.pt", "gmail.com", "hotmail.com", "outlook.pt"},
     {" Lda.", " S.A."}},
    {"CZ", 80, kSlavic, "cz",
     {"+42060[1-8]######", "+4207[2379]#######", "+4202[2-9]#######"},
     {"Praha", "Brno", "Ostrava", "Plzeň"},
     {"seznam.cz", "email.cz", "centrum.cz", "gmail.com"},
     {" s.r.o.", " a.s."}},
    {"US-CA", 1000, kAnglo, "com",
     {"+1415[2-9][02-9]#####", "+1650[2-9][02-9]#####", "+1408[2-9][02-9]#####",
      "+1510[2-9][02-9]#####", "+1213[2-9][02-9]#####", "+1619[2-9][02-9]#####"},
     {"San Francisco", "Los Angeles", "San Diego", "San Jose", "Palo Alto", "Sacramento"},
     {"gmail.com", "yahoo.com", "outlook.com", "icloud.com"},
     {", Inc.", " Inc.", " LLC"}},
    {"US-NY", 700, kAnglo, "com",
     {"+1212[2-9][02-9]#####", "+1646[2-9][02-9]#####", "+1917[2-9][02-9]#####",
      "+1718[2-9][02-9]#####", "+1347[2-9][02-9]#####", "+1518[2-9][02-9]#####"},
     {"New York", "Brooklyn", "Buffalo", "Albany", "Rochester"},
     {"gmail.com", "yahoo.com", "outlook.com", "icloud.com"},
     {", Inc.", " Inc.", " LLC"}},
    {"US-TX", 600, kAnglo, "com",
     {"+1512[2-9][02-9]#####", "+1214[2-9][02-9]#####", "+1713[2-9][02-9]#####",
      "+1210[2-9][02-9]#####", "+1469[2-9][02-9]#####", "+1737[2-9][02-9]#####"},
     {"Austin", "Dallas", "Houston", "San Antonio", "Plano"},
     {"gmail.com", "yahoo.com", "outlook.com", "icloud.com"},
     {", Inc.", " Inc.", " LLC"}},
    {"US-WA", 350, kAnglo, "com",
     {"+1206[2-9][02-9]#####", "+1425[2-9][02-9]#####", "+1253[2-9][02-9]#####",
      "+1509[2-9][02-9]#####", "+1360[2-9][02-9]#####"},
     {"Seattle", "Bellevue", "Redmond", "Spokane", "Tacoma"},
     {"gmail.com", "yahoo.com", "outlook.com", "icloud.com"},
     {", Inc.", " Inc.", " LLC"}},
    {"US-MA", 350, kAnglo, "com",
     {"+1617[2-9][02-9]#####", "+1781[2-9][02-9]#####", "+1508[2-9][02-9]#####",
      "+1857[2-9][02-9]#####", "+1978[2-9][02-9]#####"},
     {"Boston", "Cambridge", "Worcester", "Waltham"},
     {"gmail.com", "yahoo.com", "outlook.com", "icloud.com"},
     {", Inc.", " Inc.", " LLC"}},
    {"CA", 300, kAnglo, "ca",
     {"+1416[2-9][02-9]#####", "+1647[2-9][02-9]#####", "+1604[2-9][02-9]#####",
      "+1778[2-9][02-9]#####", "+1514[2-9][02-9]#####", "+1613[2-9][02-9]#####"},
     {"Toronto", "Vancouver", "Montréal", "Ottawa", "Calgary"},
     {"gmail.com", "rogers.com", "outlook.com", "icloud.com"},
     {" Inc.", " Ltd.", " Corp."}},
    {"JP", 200, kJapanese, "co.jp",
     {"+8190[1-9]#######", "+8180[1-9]#######", "+8170[1-9]#######", "+813[2-9]#######"},
     {"Tokyo", "Osaka", "Yokohama", "Nagoya", "Fukuoka"},
     {"gmail.com", "yahoo.co.jp", "icloud.com", "outlook.jp"},
     {" K.K.", " Co., Ltd."}},
    {"AU", 200, kAnglo, "com.au",
     {"+614[0-3]#######", "+612[89]#######", "+613[89]#######"},
     {"Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide"},
     {"gmail.com", "bigpond.com", "outlook.com", "icloud.com"},
     {" Pty Ltd"}},
    {"IN", 300, kIndian, "in",
     {"+9198[0-9]#######", "+9199[0-9]#######", "+9197[0-9]#######", "+9180[2-9]#######"},
     {"Bengaluru", "Mumbai", "Hyderabad", "Pune", "Chennai", "New Delhi"},
     {"gmail.com", "yahoo.co.in", "rediffmail.com", "outlook.com"},
     {" Pvt. Ltd.", " Ltd."}},
    {"BR", 150, kIberian, "com.br",
     {"+55119[6-9]#######", "+55219[6-9]#######", "+55319[6-9]#######", "+5511[2-5]#######"},
     {"São Paulo", "Rio de Janeiro", "Belo Horizonte", "Curitiba", "Brasília"},
     {"gmail.com", "uol.com.br", "hotmail.com", "bol.com.br"},
     {" Ltda.", " S.A."}},
    {"SG", 80, kIndian, "com.sg",
     {"+658[1-8]######", "+659[0-8]######", "+656[1-5]######"},
     {"Singapore"},
     {"gmail.com", "singnet.com.sg", "outlook.com", "icloud.com"},
     {" Pte. Ltd."}},
    {"IL", 80, kHebrew, "co.il",
     {"+9725[0238]#######", "+9723[5-9]######"},
     {"Tel Aviv", "Jerusalem", "Haifa", "Herzliya"},
     {"gmail.com", "walla.co.il", "outlook.com", "icloud.com"},
     {" Ltd."}},
    {"NZ", 50, kAnglo, "co.nz",
     {"+642[17]#######", "+649[2-9]######"},
     {"Auckland", "Wellington", "Christchurch"},
     {"gmail.com", "xtra.co.nz", "outlook.com", "icloud.com"},
     {" Limited", " Ltd"}},
};

// Small enumerations used in bases.csv / people.csv / events.csv.
constexpr const char* kVisibility[] = {"visible", "downloadable", "hidden"};
constexpr uint32_t kVisibilityWeights[] = {80, 15, 5};
constexpr const char* kRecipients[] = {"corporate", "sole_trader", "consumer"};
constexpr uint32_t kRecipientWeights[] = {85, 10, 5};
constexpr const char* kStages[] = {"suspect", "prospect", "client", "former_client"};
constexpr uint32_t kStageWeights[] = {60, 25, 10, 5};

enum Basis : uint8_t { kConsent, kContract, kLegitimateInterest };
constexpr const char* kBasisNames[] = {"consent", "contract", "legitimate_interest"};
enum BaseStatus : uint8_t { kGranted, kWithdrawn, kPending };
constexpr const char* kStatusNames[] = {"granted", "withdrawn", "pending"};
// The first four are consent scopes.
constexpr const char* kScopes[] = {"marketing", "marketing.security", "marketing.cloud",
                                   "sales_outreach", "service", "analytics"};
constexpr uint32_t kConsentScopeWeights[] = {30, 35, 20, 15};
constexpr uint8_t kScopeSalesOutreach = 3;
constexpr uint8_t kScopeService = 4;
constexpr uint8_t kScopeAnalytics = 5;  // consent to person-level tracking (analytics.intent)
constexpr const char* kChannels[] = {"email", "email;sms", "email;sms;phone", "email;phone"};
constexpr uint32_t kConsentChannelWeights[] = {50, 30, 20};
constexpr const char* kSources[] = {
    "webform",          "event-badge-scan", "webinar-registration", "newsletter-signup",
    "trade-show",       "crm-sync",         "preference-center",    "unsubscribe-link",
    "email-reply",      "contract-import",  "billing-system",       "sales-research",
    "partner-referral",
};
constexpr uint32_t kConsentSourceWeights[] = {35, 15, 15, 15, 8, 12};  // first six
constexpr uint8_t kSourceCrmSync = 5;
constexpr uint8_t kSourceWithdrawFirst = 6;      // 6..8: where withdrawals come from
constexpr uint8_t kSourceContractFirst = 9;      // 9..10 (+ crm-sync)
constexpr uint8_t kSourceInterestFirst = 11;     // 11..12 (+ crm-sync)

constexpr const char* kEventStages[] = {"early", "mid", "late"};
constexpr const char* kActions[] = {"view", "download", "webinar", "pricing"};
enum EventClass { kHot, kWarm, kCold };
constexpr uint32_t kEventStageWeights[3][3] = {{20, 35, 45}, {50, 40, 10}, {80, 18, 2}};
constexpr uint32_t kActionWeights[3][4] = {{40, 20, 15, 25}, {60, 25, 12, 3}, {80, 15, 5, 0}};

constexpr const char* kPurchaseKinds[] = {"sale", "negotiation"};

constexpr const char* kAccountsHeader =
    "domain,name,industry,employee_band,revenue_band,hq_country,technologies\n";
constexpr const char* kPeopleHeader =
    "person_ref,first_name,last_name,email,email2,email_visibility,phone,title,seniority,"
    "function,country,region,recipient,stage,account_domain,collected_at,opt_out_offered,"
    "transparency_notice_sent_at\n";
constexpr const char* kBasesHeader =
    "email,basis,status,scope,channels,at,confirmed_at,expires_at,source,notice_version\n";
constexpr const char* kPurchasesHeader = "email,family,kind,at\n";
constexpr const char* kSuppressionHeader = "email\n";
constexpr const char* kEventsHeader =
    "time,account_domain,person_email,topic,vendor,stage,action\n";

// ---------------------------------------------------------------------------
// Randomness (splitmix64; integer-only helpers).

inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// A well-mixed 64-bit value from two inputs.
inline uint64_t Mix(uint64_t a, uint64_t b) {
  uint64_t state = a ^ (b * 0xD1B54A32D192ED03ULL + 0x632BE59BD9B4E019ULL);
  SplitMix64(state);
  return SplitMix64(state);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() { return SplitMix64(state_); }
  // Uniform in [0, n); n > 0.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  // Uniform in [lo, hi]; lo <= hi.
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  // True with probability per_mille / 1000.
  bool Chance(uint32_t per_mille) { return Below(1000) < per_mille; }
  // In [0, n), density falling like 1/sqrt(x) (index = n * u^2); n < 2^32.
  uint64_t Skewed(uint64_t n) {
    uint64_t u = Next() >> 32;
    return (((u * u) >> 32) * n) >> 32;
  }

 private:
  uint64_t state_;
};

// Weighted choice in O(1) through a 4096-slot table (weights quantised to
// 1/4096).
class Picker {
 public:
  Picker() = default;
  explicit Picker(std::span<const uint32_t> weights) {
    uint64_t total = 0;
    for (uint32_t w : weights) total += w;
    size_t index = 0;
    uint64_t cumulative = weights[0];
    for (uint64_t slot = 0; slot < kSlots; ++slot) {
      uint64_t target = ((2 * slot + 1) * total) / (2 * kSlots);
      while (cumulative <= target) cumulative += weights[++index];
      table_[slot] = static_cast<uint8_t>(index);
    }
  }
  int Pick(Rng& rng) const { return table_[rng.Next() >> (64 - kBits)]; }

 private:
  static constexpr int kBits = 12;
  static constexpr uint64_t kSlots = 1u << kBits;
  std::array<uint8_t, kSlots> table_{};
};

template <size_t N>
Picker PickerOf(const Weighted (&items)[N]) {
  std::array<uint32_t, N> weights;
  for (size_t i = 0; i < N; ++i) weights[i] = items[i].weight;
  return Picker(weights);
}

// A bijection of [0, n): x -> (x * mult + add) mod n, with its inverse.
class AffinePermutation {
 public:
  AffinePermutation() = default;
  AffinePermutation(uint64_t n, uint64_t key) : n_(n) {
    if (n_ <= 1) return;
    add_ = Mix(key, 1) % n_;
    mult_ = 1 + Mix(key, 2) % (n_ - 1);
    while (std::gcd(mult_, n_) != 1) mult_ = mult_ + 1 == n_ ? 1 : mult_ + 1;
    inverse_ = ModInverse(mult_, n_);
  }
  // n < 2^32, so products fit in 64 bits.
  uint64_t Apply(uint64_t x) const { return n_ <= 1 ? 0 : (x * mult_ + add_) % n_; }
  uint64_t Invert(uint64_t y) const {
    return n_ <= 1 ? 0 : ((y + n_ - add_) % n_) * inverse_ % n_;
  }

 private:
  static uint64_t ModInverse(uint64_t a, uint64_t m) {
    int64_t t = 0, new_t = 1;
    int64_t r = static_cast<int64_t>(m), new_r = static_cast<int64_t>(a);
    while (new_r != 0) {
      int64_t q = r / new_r;
      std::tie(t, new_t) = std::make_pair(new_t, t - q * new_t);
      std::tie(r, new_r) = std::make_pair(new_r, r - q * new_r);
    }
    return static_cast<uint64_t>(t < 0 ? t + static_cast<int64_t>(m) : t);
  }

  uint64_t n_ = 1;
  uint64_t mult_ = 1;
  uint64_t add_ = 0;
  uint64_t inverse_ = 1;
};

// ---------------------------------------------------------------------------
// Formatting into a caller-provided buffer (no allocation).

inline char* Append(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

inline char* AppendUint(char* p, uint64_t v) {
  char tmp[20];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) *p++ = tmp[--n];
  return p;
}

inline char* AppendPadded(char* p, uint64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

struct CivilDate {
  int64_t year;
  unsigned month;
  unsigned day;
};

inline CivilDate CivilFromDays(int64_t z) {
  CivilDate d;
  ::fairlead::CivilFromDays(z, &d.year, &d.month, &d.day);
  return d;
}

inline void SplitTime(int64_t t, int64_t* days, int64_t* secs) {
  *days = t / kDay;
  *secs = t % kDay;
  if (*secs < 0) {
    *secs += kDay;
    --*days;
  }
}

// RFC 3339 UTC, e.g. 2026-03-04T10:00:00Z (20 bytes).
inline char* AppendTime(char* p, int64_t t) {
  int64_t days, secs;
  SplitTime(t, &days, &secs);
  const CivilDate date = CivilFromDays(days);
  p = AppendPadded(p, static_cast<uint64_t>(date.year), 4);
  *p++ = '-';
  p = AppendPadded(p, date.month, 2);
  *p++ = '-';
  p = AppendPadded(p, date.day, 2);
  *p++ = 'T';
  p = AppendPadded(p, static_cast<uint64_t>(secs / 3600), 2);
  *p++ = ':';
  p = AppendPadded(p, static_cast<uint64_t>(secs / 60 % 60), 2);
  *p++ = ':';
  p = AppendPadded(p, static_cast<uint64_t>(secs % 60), 2);
  *p++ = 'Z';
  return p;
}

// "YYYY-MM" of t.
inline char* AppendYearMonth(char* p, int64_t t) {
  int64_t days, secs;
  SplitTime(t, &days, &secs);
  const CivilDate date = CivilFromDays(days);
  p = AppendPadded(p, static_cast<uint64_t>(date.year), 4);
  *p++ = '-';
  return AppendPadded(p, date.month, 2);
}

// RFC 4180: quote only when the field holds a comma, quote or line break.
std::string CsvEscape(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

// Lowercase ASCII form of a UTF-8 name for email local parts: letters folded
// (ü -> u, ß -> ss, æ -> ae, ł -> l, ...), '-' kept, spaces and apostrophes
// dropped. Returns false on a character it does not know.
bool FoldName(std::string_view name, std::string* out) {
  out->clear();
  size_t i = 0;
  while (i < name.size()) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    uint32_t cp;
    if (c < 0x80) {
      cp = c;
      i += 1;
    } else if ((c & 0xE0) == 0xC0 && i + 1 < name.size()) {
      cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(name[i + 1]) & 0x3Fu);
      i += 2;
    } else {
      return false;
    }
    if (cp >= 'A' && cp <= 'Z') {
      *out += static_cast<char>(cp - 'A' + 'a');
      continue;
    }
    if ((cp >= 'a' && cp <= 'z') || cp == '-') {
      *out += static_cast<char>(cp);
      continue;
    }
    if (cp == ' ' || cp == '\'') continue;
    const char* folded = nullptr;
    switch (cp) {
      case 0xC0: case 0xC1: case 0xC2: case 0xC3: case 0xC4: case 0xC5:
      case 0xE0: case 0xE1: case 0xE2: case 0xE3: case 0xE4: case 0xE5:
      case 0x104: case 0x105:
        folded = "a"; break;
      case 0xC6: case 0xE6: folded = "ae"; break;
      case 0xC7: case 0xE7: case 0x106: case 0x107: case 0x10C: case 0x10D:
        folded = "c"; break;
      case 0x10E: case 0x10F: folded = "d"; break;
      case 0xC8: case 0xC9: case 0xCA: case 0xCB: case 0xE8: case 0xE9: case 0xEA: case 0xEB:
      case 0x118: case 0x119: case 0x11A: case 0x11B:
        folded = "e"; break;
      case 0xCC: case 0xCD: case 0xCE: case 0xCF: case 0xEC: case 0xED: case 0xEE: case 0xEF:
        folded = "i"; break;
      case 0x141: case 0x142: folded = "l"; break;
      case 0xD1: case 0xF1: case 0x143: case 0x144: case 0x147: case 0x148:
        folded = "n"; break;
      case 0xD2: case 0xD3: case 0xD4: case 0xD5: case 0xD6: case 0xD8:
      case 0xF2: case 0xF3: case 0xF4: case 0xF5: case 0xF6: case 0xF8:
        folded = "o"; break;
      case 0x158: case 0x159: folded = "r"; break;
      case 0xDF: folded = "ss"; break;
      case 0x15A: case 0x15B: case 0x160: case 0x161: folded = "s"; break;
      case 0x164: case 0x165: folded = "t"; break;
      case 0xD9: case 0xDA: case 0xDB: case 0xDC: case 0xF9: case 0xFA: case 0xFB: case 0xFC:
      case 0x16E: case 0x16F:
        folded = "u"; break;
      case 0xDD: case 0xFD: case 0xFF: folded = "y"; break;
      case 0x179: case 0x17A: case 0x17B: case 0x17C: case 0x17D: case 0x17E:
        folded = "z"; break;
      default:
        return false;
    }
    *out += folded;
  }
  return !out->empty();
}

// ---------------------------------------------------------------------------
// Compiled tables, built once.

struct NamePool {
  std::vector<std::string> first_csv, last_csv;  // display form, CSV-ready
  std::vector<std::string> first_key, last_key;  // folded, for emails
  uint32_t first_count = 0;
  uint32_t combos = 0;
  std::array<uint32_t, 8> mults{};  // coprime with combos
};

struct Country {
  std::string code;
  NamePoolId pool;
  std::string tld;
  std::vector<std::vector<std::string>> phones;  // per pattern: allowed chars per slot
  std::vector<std::string> cities;
  std::vector<std::string> personal_domains;
  std::vector<std::string> legal_forms;
};

struct Tables {
  Status status;  // not OK if the built-in vocabularies are inconsistent
  std::array<NamePool, kPoolCount> pools;
  std::vector<Country> countries;
  std::array<std::array<std::array<std::string, 2>, 6>, 12> titles_csv;
  Picker country, industry, seniority, function, visibility, recipient, stage;
  Picker topic, vendor, family, tech_count;
  Picker consent_scope, consent_channels, consent_source;
  std::array<Picker, 3> event_stage, action;
};

template <size_t N>
std::span<const uint32_t> Span(const uint32_t (&weights)[N]) {
  return std::span<const uint32_t>(weights, N);
}

std::unique_ptr<Tables> BuildTables() {
  auto tables = std::make_unique<Tables>();
  Tables& t = *tables;
  std::vector<std::string> all_first_keys;
  for (int p = 0; p < kPoolCount; ++p) {
    NamePool& pool = t.pools[p];
    std::vector<std::string> last_keys;
    std::string key;
    for (const char* name : kNamePools[p].first) {
      if (!FoldName(name, &key)) {
        t.status = Status::Internal(std::string("gen: cannot fold first name ") + name);
      }
      pool.first_csv.push_back(CsvEscape(name));
      pool.first_key.push_back(key);
      all_first_keys.push_back(key);
    }
    for (const char* name : kNamePools[p].last) {
      if (!FoldName(name, &key)) {
        t.status = Status::Internal(std::string("gen: cannot fold last name ") + name);
      }
      pool.last_csv.push_back(CsvEscape(name));
      pool.last_key.push_back(key);
      last_keys.push_back(key);
    }
    std::sort(last_keys.begin(), last_keys.end());
    if (std::adjacent_find(last_keys.begin(), last_keys.end()) != last_keys.end()) {
      t.status = Status::Internal("gen: duplicate folded last name in pool " + std::to_string(p));
    }
    pool.first_count = static_cast<uint32_t>(pool.first_key.size());
    pool.combos = pool.first_count * static_cast<uint32_t>(pool.last_key.size());
    uint32_t candidate = pool.combos / 3 + 1;
    for (uint32_t& mult : pool.mults) {
      while (std::gcd(candidate, pool.combos) != 1) ++candidate;
      mult = candidate;
      candidate += pool.combos / 11 + 1;
      candidate %= pool.combos;
      if (candidate == 0) candidate = 1;
    }
  }
  std::sort(all_first_keys.begin(), all_first_keys.end());
  auto dup = std::adjacent_find(all_first_keys.begin(), all_first_keys.end());
  if (dup != all_first_keys.end()) {
    t.status = Status::Internal("gen: duplicate folded first name " + *dup);
  }

  std::vector<uint32_t> country_weights;
  for (const CountrySpec& spec : kCountries) {
    Country country;
    country.code = spec.code;
    country.pool = spec.pool;
    country.tld = spec.tld;
    for (const char* pattern : spec.phones) {
      if (pattern == nullptr) break;
      std::vector<std::string> slots;
      std::string_view s = pattern;
      for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '#') {
          slots.push_back("0123456789");
        } else if (s[i] == '[') {
          std::string allowed;
          for (++i; i < s.size() && s[i] != ']'; ++i) {
            if (i + 2 < s.size() && s[i + 1] == '-' && s[i + 2] != ']') {
              for (char c = s[i]; c <= s[i + 2]; ++c) allowed += c;
              i += 2;
            } else {
              allowed += s[i];
            }
          }
          slots.push_back(allowed);
        } else {
          slots.push_back(std::string(1, s[i]));
        }
      }
      country.phones.push_back(std::move(slots));
    }
    for (const char* city : spec.cities) {
      if (city != nullptr) country.cities.push_back(CsvEscape(city));
    }
    for (const char* domain : spec.personal_domains) {
      if (domain != nullptr) country.personal_domains.push_back(domain);
    }
    for (const char* form : spec.legal_forms) {
      if (form != nullptr) country.legal_forms.push_back(form);
    }
    t.countries.push_back(std::move(country));
    country_weights.push_back(spec.weight);
  }
  t.country = Picker(country_weights);

  for (int f = 0; f < 12; ++f) {
    for (int s = 0; s < 6; ++s) {
      for (int v = 0; v < 2; ++v) t.titles_csv[f][s][v] = CsvEscape(kTitles[f][s][v]);
    }
  }

  t.industry = PickerOf(kIndustries);
  t.seniority = PickerOf(kSeniorities);
  t.function = PickerOf(kFunctions);
  t.topic = PickerOf(kTopics);
  t.vendor = PickerOf(kVendors);
  t.family = PickerOf(kPurchaseFamilies);
  t.visibility = Picker(Span(kVisibilityWeights));
  t.recipient = Picker(Span(kRecipientWeights));
  t.stage = Picker(Span(kStageWeights));
  static constexpr uint32_t kTechCountWeights[] = {15, 15, 20, 20, 15, 10, 5};
  t.tech_count = Picker(Span(kTechCountWeights));
  t.consent_scope = Picker(Span(kConsentScopeWeights));
  t.consent_channels = Picker(Span(kConsentChannelWeights));
  t.consent_source = Picker(Span(kConsentSourceWeights));
  for (int c = 0; c < 3; ++c) {
    t.event_stage[c] = Picker(Span(kEventStageWeights[c]));
    t.action[c] = Picker(Span(kActionWeights[c]));
  }
  return tables;
}

const Tables& GetTables() {
  static const Tables* const kTables = BuildTables().release();
  return *kTables;
}

// ---------------------------------------------------------------------------
// Buffered CSV file: rows are formatted straight into a large buffer that is
// written with fwrite when full. Write errors are remembered and reported by
// status() / Close(), naming the file.

class CsvFile {
 public:
  static constexpr size_t kBufferSize = 1 << 20;

  CsvFile() = default;
  CsvFile(const CsvFile&) = delete;
  CsvFile& operator=(const CsvFile&) = delete;
  ~CsvFile() {
    if (file_ != nullptr) std::fclose(file_);
  }

  Status Open(const std::filesystem::path& path, const char* header) {
    path_ = path.string();
    file_ = std::fopen(path_.c_str(), "wb");
    if (file_ == nullptr) return Status::Io("gen: open " + path_ + ": " + ErrnoText());
    std::setvbuf(file_, nullptr, _IONBF, 0);
    buffer_ = std::make_unique<char[]>(kBufferSize);
    char* p = Row();
    End(Append(p, header));
    return Status::Ok();
  }

  // Returns room for one row of at most kMaxRowBytes; finish with End().
  char* Row() {
    if (kBufferSize - length_ < kMaxRowBytes) Flush();
    return buffer_.get() + length_;
  }
  void End(char* end) { length_ = static_cast<size_t>(end - buffer_.get()); }

  Status status() const {
    return failed_ ? Status::Io("gen: write " + path_ + ": " + error_) : Status::Ok();
  }

  Status Close() {
    Flush();
    if (file_ != nullptr) {
      if (std::fclose(file_) != 0 && !failed_) {
        failed_ = true;
        error_ = ErrnoText();
      }
      file_ = nullptr;
    }
    return status();
  }

 private:
  static std::string ErrnoText() { return std::generic_category().message(errno); }

  void Flush() {
    if (length_ == 0) return;
    if (!failed_ && std::fwrite(buffer_.get(), 1, length_, file_) != length_) {
      failed_ = true;
      error_ = ErrnoText();
    }
    length_ = 0;
  }

  std::string path_;
  std::FILE* file_ = nullptr;
  std::unique_ptr<char[]> buffer_;
  size_t length_ = 0;
  bool failed_ = false;
  std::string error_;
};

// ---------------------------------------------------------------------------
// The generator.

struct NameChoice {
  uint32_t first;  // index into the pool's first names
  uint32_t last;   // index into the pool's last names
  uint32_t round;  // how often the pool's combinations were used up before
};

struct BaseRow {
  int64_t at;
  int64_t confirmed_at;  // < 0: none
  int64_t expires_at;    // < 0: none
  uint8_t basis, status, scope, channels, source;
};

class Generator {
 public:
  Generator(const GenOptions& options, const Tables& tables,
            const std::function<void(uint64_t, uint64_t)>& progress)
      : options_(options), t_(tables), progress_(progress) {}

  Status Run(GenCounts* counts);

 private:
  Status WriteAccounts();
  Status WritePeople();
  Status WriteEvents();
  Status Tick(uint64_t rows, std::initializer_list<const CsvFile*> files);

  std::string_view Domain(uint64_t account) const {
    return std::string_view(domain_arena_.data() + domain_offsets_[account],
                            domain_offsets_[account + 1] - domain_offsets_[account]);
  }
  uint64_t NameKey(uint64_t account, uint32_t pool) const {
    return Mix(name_seed_, (account << 4) | pool);
  }
  // The name of the k-th person drawn from name pool `pool` at an account.
  NameChoice ChooseName(uint64_t account, uint32_t pool, uint32_t k) const;
  // "first.last" plus "<round + 1>" from the second round on.
  char* AppendNameLocal(char* p, uint32_t pool, const NameChoice& name) const;
  // Email local part of the k-th person of a pool, or for kGenericPool of the
  // k-th role address ("info", ..., "info2", ...) of an account.
  char* AppendLocal(char* p, uint64_t account, uint32_t pool, uint32_t k) const;
  char* AppendEmail(char* p, uint64_t account, uint32_t pool, uint32_t k) const {
    p = AppendLocal(p, account, pool, k);
    *p++ = '@';
    return Append(p, Domain(account));
  }
  char* AppendPhone(char* p, const Country& country, Rng& rng) const;
  int64_t NoticeVersionTime(int64_t at) const;
  int WriteBases(Rng& rng, std::string_view email, int64_t collected_at);
  int WritePurchases(Rng& rng, std::string_view email);

  const GenOptions& options_;
  const Tables& t_;
  const std::function<void(uint64_t, uint64_t)>& progress_;

  uint64_t accounts_ = 0;
  uint64_t events_ = 0;
  uint64_t rows_done_ = 0;
  uint64_t rows_total_ = 0;
  uint64_t name_seed_ = 0;
  int ref_width_ = 9;
  AffinePermutation popularity_;  // popularity rank -> account
  AffinePermutation hotness_;     // intent rank -> account

  // Per-account state (O(accounts)).
  std::string domain_arena_;
  std::vector<uint64_t> domain_offsets_;
  std::vector<uint32_t> pool_counts_;     // accounts * kPoolCount
  std::vector<uint32_t> generic_counts_;  // role addresses handed out
  std::vector<uint32_t> ref_counts_;
  std::vector<uint32_t> refs_;            // accounts * kRefSlots

  CsvFile accounts_file_, people_file_, bases_file_, purchases_file_, suppression_file_,
      events_file_;
  GenCounts counts_;
};

Status Generator::Tick(uint64_t rows, std::initializer_list<const CsvFile*> files) {
  rows_done_ += rows;
  for (const CsvFile* file : files) FL_RETURN_IF_ERROR(file->status());
  if (progress_) progress_(rows_done_, rows_total_);
  return Status::Ok();
}

NameChoice Generator::ChooseName(uint64_t account, uint32_t pool, uint32_t k) const {
  const NamePool& names = t_.pools[pool];
  const uint64_t key = NameKey(account, pool);
  const uint64_t combos = names.combos;
  const uint64_t index = (key % combos + (k % combos) * names.mults[key >> 61]) % combos;
  return {static_cast<uint32_t>(index % names.first_count),
          static_cast<uint32_t>(index / names.first_count), static_cast<uint32_t>(k / combos)};
}

char* Generator::AppendNameLocal(char* p, uint32_t pool, const NameChoice& name) const {
  const NamePool& names = t_.pools[pool];
  p = Append(p, names.first_key[name.first]);
  *p++ = '.';
  p = Append(p, names.last_key[name.last]);
  return name.round == 0 ? p : AppendUint(p, name.round + 1);
}

char* Generator::AppendLocal(char* p, uint64_t account, uint32_t pool, uint32_t k) const {
  if (pool != kGenericPool) return AppendNameLocal(p, pool, ChooseName(account, pool, k));
  p = Append(p, kRoleAddresses[(NameKey(account, pool) + k) % kRoleCount]);
  const uint32_t round = k / kRoleCount;
  return round == 0 ? p : AppendUint(p, round + 1);
}

char* Generator::AppendPhone(char* p, const Country& country, Rng& rng) const {
  const auto& slots = country.phones[rng.Below(country.phones.size())];
  uint64_t bits = rng.Next();
  for (const std::string& allowed : slots) {
    if (allowed.size() == 1) {
      *p++ = allowed[0];
    } else {
      // 64 bits give 19 decimal digits; refill when drained.
      if (bits < 1000) bits = rng.Next();
      *p++ = allowed[bits % allowed.size()];
      bits /= 10;
    }
  }
  return p;
}

// Privacy notices are versioned every kNoticePeriod back from as_of; a record
// carries the newest version published at or before it.
int64_t Generator::NoticeVersionTime(int64_t at) const {
  const int64_t anchor = options_.as_of - 45 * kDay;
  if (at >= anchor) return anchor;
  const int64_t steps = (anchor - at + kNoticePeriod - 1) / kNoticePeriod;
  return anchor - steps * kNoticePeriod;
}

Status Generator::Run(GenCounts* counts) {
  const uint64_t people = options_.people;
  accounts_ = std::max<uint64_t>(1, people / 10);
  events_ = options_.events == 0 ? people : options_.events;
  rows_total_ = accounts_ + people + events_;
  name_seed_ = Mix(options_.seed, kStreamNames);
  const uint64_t perm_seed = Mix(options_.seed, kStreamPermutations);
  popularity_ = AffinePermutation(accounts_, Mix(perm_seed, 1));
  hotness_ = AffinePermutation(accounts_, Mix(perm_seed, 2));
  for (uint64_t n = people; n >= 1000000000; n /= 10) ++ref_width_;

  std::error_code ec;
  const std::filesystem::path dir(options_.out_dir);
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Io("gen: create directory " + options_.out_dir + ": " + ec.message());
  FL_RETURN_IF_ERROR(accounts_file_.Open(dir / "accounts.csv", kAccountsHeader));
  FL_RETURN_IF_ERROR(people_file_.Open(dir / "people.csv", kPeopleHeader));
  FL_RETURN_IF_ERROR(bases_file_.Open(dir / "bases.csv", kBasesHeader));
  FL_RETURN_IF_ERROR(purchases_file_.Open(dir / "purchases.csv", kPurchasesHeader));
  FL_RETURN_IF_ERROR(suppression_file_.Open(dir / "suppression.csv", kSuppressionHeader));
  FL_RETURN_IF_ERROR(events_file_.Open(dir / "events.csv", kEventsHeader));

  FL_RETURN_IF_ERROR(WriteAccounts());
  FL_RETURN_IF_ERROR(accounts_file_.Close());
  FL_RETURN_IF_ERROR(WritePeople());
  FL_RETURN_IF_ERROR(people_file_.Close());
  FL_RETURN_IF_ERROR(bases_file_.Close());
  FL_RETURN_IF_ERROR(purchases_file_.Close());
  FL_RETURN_IF_ERROR(suppression_file_.Close());
  FL_RETURN_IF_ERROR(WriteEvents());
  FL_RETURN_IF_ERROR(events_file_.Close());
  if (progress_) progress_(rows_total_, rows_total_);
  if (counts != nullptr) *counts = counts_;
  return Status::Ok();
}

Status Generator::WriteAccounts() {
  const uint64_t accounts = accounts_;
  const uint64_t seed = Mix(options_.seed, kStreamAccounts);
  const AffinePermutation numbering(accounts, Mix(seed, 0xD0));
  domain_offsets_.reserve(accounts + 1);
  domain_arena_.reserve(accounts * 24);
  domain_offsets_.push_back(0);
  pool_counts_.assign(accounts * kPoolCount, 0);
  generic_counts_.assign(accounts, 0);
  ref_counts_.assign(accounts, 0);
  refs_.assign(accounts * kRefSlots, 0);

  constexpr size_t kPrefixes = std::size(kDomainPrefixes);
  constexpr size_t kSuffixes = std::size(kDomainSuffixes);
  constexpr size_t kTechs = std::size(kTechnologies);
  std::string name;
  uint64_t pending = 0;
  for (uint64_t a = 0; a < accounts; ++a) {
    Rng rng(Mix(seed, a));
    const Country& country = t_.countries[t_.country.Pick(rng)];
    const char* prefix = kDomainPrefixes[rng.Below(kPrefixes)];
    const char* suffix = kDomainSuffixes[rng.Below(kSuffixes)];

    // Domain: word-<unique number>.<tld>.
    const size_t start = domain_arena_.size();
    domain_arena_ += prefix;
    domain_arena_ += suffix;
    domain_arena_ += '-';
    char digits[24];
    domain_arena_.append(digits, AppendUint(digits, numbering.Apply(a) + 1) - digits);
    domain_arena_ += '.';
    const uint64_t tld_roll = rng.Below(100);
    if (country.tld == "com") {
      domain_arena_ += tld_roll < 75 ? "com" : tld_roll < 87 ? "io" : tld_roll < 94 ? "ai" : "co";
    } else {
      domain_arena_ += tld_roll < 55 ? country.tld : tld_roll < 92 ? "com" : "io";
    }
    domain_offsets_.push_back(domain_arena_.size());
    const std::string_view domain(domain_arena_.data() + start, domain_arena_.size() - start);

    // Name: "Bluepeak Systems GmbH".
    name.assign(prefix);
    name += suffix;
    name[0] = static_cast<char>(name[0] - 'a' + 'A');
    if (rng.Chance(500)) {
      name += ' ';
      name += kNameDescriptors[rng.Below(std::size(kNameDescriptors))];
    }
    name += country.legal_forms[rng.Below(country.legal_forms.size())];

    // Size follows popularity (accounts with many people are large).
    const uint64_t per_mille = popularity_.Invert(a) * 1000 / accounts;
    int band = per_mille < 2 ? 7 : per_mille < 10 ? 6 : per_mille < 40 ? 5 : per_mille < 100 ? 4
             : per_mille < 250 ? 3 : per_mille < 500 ? 2 : per_mille < 800 ? 1 : 0;
    const uint64_t jitter = rng.Below(8);
    if (jitter == 0 && band > 0) --band;
    if (jitter == 1 && band < 7) ++band;
    const int revenue = std::clamp(band + static_cast<int>(rng.Below(3)) - 1, 0, 7);

    // Technologies: distinct, skewed popularity, more for larger companies.
    std::array<uint8_t, 6> techs;
    int tech_count = t_.tech_count.Pick(rng);
    if (band >= 5 && tech_count < 4) tech_count += 2;
    for (int i = 0; i < tech_count;) {
      const uint8_t tech = static_cast<uint8_t>(rng.Skewed(kTechs));
      if (std::find(techs.begin(), techs.begin() + i, tech) == techs.begin() + i) {
        techs[i++] = tech;
      }
    }
    for (int i = 1; i < tech_count; ++i) {  // canonical order: most popular first
      for (int j = i; j > 0 && techs[j - 1] > techs[j]; --j) std::swap(techs[j - 1], techs[j]);
    }

    char* p = accounts_file_.Row();
    p = Append(p, domain);
    *p++ = ',';
    p = Append(p, CsvEscape(name));
    *p++ = ',';
    p = Append(p, kIndustries[t_.industry.Pick(rng)].name);
    *p++ = ',';
    p = Append(p, kEmployeeBands[band]);
    *p++ = ',';
    p = Append(p, kRevenueBands[revenue]);
    *p++ = ',';
    p = Append(p, country.code);
    *p++ = ',';
    for (int i = 0; i < tech_count; ++i) {
      if (i > 0) *p++ = ';';
      p = Append(p, kTechnologies[techs[i]]);
    }
    *p++ = '\n';
    accounts_file_.End(p);

    if (++pending == kProgressEvery) {
      FL_RETURN_IF_ERROR(Tick(pending, {&accounts_file_}));
      pending = 0;
    }
  }
  counts_.accounts = accounts;
  return Tick(pending, {&accounts_file_});
}

Status Generator::WritePeople() {
  const uint64_t people = options_.people;
  const int64_t as_of = options_.as_of;
  const uint64_t seed = Mix(options_.seed, kStreamPeople);
  const AffinePermutation personal_numbers(std::max<uint64_t>(people, 1), Mix(seed, 0xE2));
  char email[256];
  uint64_t pending = 0;
  for (uint64_t i = 0; i < people; ++i) {
    Rng rng(Mix(seed, i));
    const uint64_t account = popularity_.Apply(rng.Skewed(accounts_));
    const int country_index = t_.country.Pick(rng);
    const Country& country = t_.countries[country_index];
    // Most people carry a name typical of their country; some do not.
    uint32_t pool = country.pool;
    if (rng.Chance(80)) pool = t_.countries[t_.country.Pick(rng)].pool;

    // First email: a role address (~8%) or first.last at the account domain.
    const uint32_t name_k = pool_counts_[account * kPoolCount + pool]++;
    uint32_t ref_pool = pool, ref_k = name_k;
    if (rng.Chance(80)) {
      ref_pool = kGenericPool;
      ref_k = generic_counts_[account]++;
    }
    const NameChoice name = ChooseName(account, pool, name_k);
    char* e = ref_pool == kGenericPool ? AppendLocal(email, account, ref_pool, ref_k)
                                       : AppendNameLocal(email, pool, name);
    *e++ = '@';
    e = Append(e, Domain(account));
    const std::string_view email_view(email, static_cast<size_t>(e - email));
    if (ref_k <= kRefKMask) {  // remember a few people per account for events
      refs_[account * kRefSlots + ref_counts_[account] % kRefSlots] =
          (ref_pool << kRefPoolShift) | ref_k;
      ++ref_counts_[account];
    }
    const NamePool& names = t_.pools[pool];

    char* p = people_file_.Row();
    *p++ = 'P';
    p = AppendPadded(p, i + 1, ref_width_);
    *p++ = ',';
    p = Append(p, names.first_csv[name.first]);
    *p++ = ',';
    p = Append(p, names.last_csv[name.last]);
    *p++ = ',';
    p = Append(p, email_view);
    *p++ = ',';
    if (rng.Chance(150)) {  // personal second address, unique by number
      p = Append(p, names.first_key[name.first]);
      *p++ = '.';
      p = Append(p, names.last_key[name.last]);
      p = AppendUint(p, personal_numbers.Apply(i) + 1);
      *p++ = '@';
      p = Append(p, country.personal_domains[rng.Below(country.personal_domains.size())]);
    }
    *p++ = ',';
    p = Append(p, kVisibility[t_.visibility.Pick(rng)]);
    *p++ = ',';
    if (!rng.Chance(100)) p = AppendPhone(p, country, rng);
    *p++ = ',';
    const int seniority = t_.seniority.Pick(rng);
    const int function = t_.function.Pick(rng);
    p = Append(p, t_.titles_csv[function][seniority][rng.Below(2)]);
    *p++ = ',';
    p = Append(p, kSeniorities[seniority].name);
    *p++ = ',';
    p = Append(p, kFunctions[function].name);
    *p++ = ',';
    p = Append(p, country.code);
    *p++ = ',';
    if (!rng.Chance(300)) p = Append(p, country.cities[rng.Below(country.cities.size())]);
    *p++ = ',';
    p = Append(p, kRecipients[t_.recipient.Pick(rng)]);
    *p++ = ',';
    p = Append(p, kStages[t_.stage.Pick(rng)]);
    *p++ = ',';
    p = Append(p, Domain(account));
    *p++ = ',';
    const int64_t collected_at = as_of - rng.Between(0, kCollectWindow);
    p = AppendTime(p, collected_at);
    *p++ = ',';
    p = Append(p, rng.Chance(700) ? "true" : "false");
    *p++ = ',';
    if (!rng.Chance(400) && as_of - collected_at >= kMinute) {
      p = AppendTime(p, collected_at + rng.Between(kMinute, std::min(30 * kDay,
                                                                    as_of - collected_at)));
    }
    *p++ = '\n';
    people_file_.End(p);

    counts_.bases += WriteBases(rng, email_view, collected_at);
    counts_.purchases += WritePurchases(rng, email_view);
    if (rng.Chance(20)) {
      char* s = suppression_file_.Row();
      s = Append(s, email_view);
      *s++ = '\n';
      suppression_file_.End(s);
      ++counts_.suppressed;
    }

    if (++pending == kProgressEvery) {
      FL_RETURN_IF_ERROR(Tick(pending, {&people_file_, &bases_file_, &purchases_file_,
                                        &suppression_file_}));
      pending = 0;
    }
  }
  counts_.people = people;
  return Tick(pending, {&people_file_, &bases_file_, &purchases_file_, &suppression_file_});
}

// Writes the person's basis history (time-ordered); returns the row count.
int Generator::WriteBases(Rng& rng, std::string_view email, int64_t collected_at) {
  const int64_t as_of = options_.as_of;
  std::array<BaseRow, 10> rows;
  int n = 0;
  auto add = [&](int64_t at, uint8_t basis, uint8_t status, uint8_t scope, uint8_t channels,
                 uint8_t source) -> BaseRow& {
    rows[n] = BaseRow{at, -1, -1, basis, status, scope, channels, source};
    return rows[n++];
  };
  const int64_t room = as_of - collected_at;

  if (rng.Chance(350)) {
    const uint8_t scope = static_cast<uint8_t>(t_.consent_scope.Pick(rng));
    const uint8_t channels = static_cast<uint8_t>(t_.consent_channels.Pick(rng));
    const uint8_t source = static_cast<uint8_t>(t_.consent_source.Pick(rng));
    int64_t at = collected_at + rng.Between(0, std::min(60 * kDay, room));
    const uint64_t kind = rng.Below(1000);
    if (kind < 50) {
      add(at, kConsent, kPending, scope, channels, source);  // never confirmed
    } else {
      if (kind < 150 && as_of - at > 10 * kMinute) {  // double opt-in request first
        add(at, kConsent, kPending, scope, channels, source);
        at += rng.Between(5 * kMinute, std::min(2 * kDay, as_of - at));
      }
      BaseRow& grant = add(at, kConsent, kGranted, scope, channels, source);
      if (rng.Chance(700) && as_of - at >= 2 * kMinute) {
        grant.confirmed_at = at + rng.Between(2 * kMinute, std::min(3 * kDay, as_of - at));
      }
      if (rng.Chance(50) && as_of - at > 30 * kDay) {
        grant.expires_at = at + rng.Between(30 * kDay, as_of - at);
      }
      const int64_t settled = std::max(at, grant.confirmed_at);
      if (rng.Chance(120) && as_of - settled > kHour) {
        add(settled + rng.Between(kHour, as_of - settled), kConsent, kWithdrawn, scope, channels,
            static_cast<uint8_t>(kSourceWithdrawFirst + rng.Below(3)));
      }
      if (rng.Chance(100)) {  // a second, different consent
        const uint8_t scope2 = static_cast<uint8_t>((scope + 1 + rng.Below(3)) % 4);
        const int64_t at2 = at + rng.Between(0, as_of - at);
        BaseRow& second = add(at2, kConsent, kGranted, scope2,
                              static_cast<uint8_t>(t_.consent_channels.Pick(rng)),
                              static_cast<uint8_t>(t_.consent_source.Pick(rng)));
        if (rng.Chance(700) && as_of - at2 >= 2 * kMinute) {
          second.confirmed_at = at2 + rng.Between(2 * kMinute, std::min(kDay, as_of - at2));
        }
      }
    }
  }
  if (rng.Chance(100)) {
    const uint64_t pick = rng.Below(3);
    add(collected_at + rng.Between(0, std::min(365 * kDay, room)), kContract, kGranted,
        kScopeService, rng.Chance(700) ? 0 : 3,
        static_cast<uint8_t>(pick == 2 ? kSourceCrmSync : kSourceContractFirst + pick));
  }
  if (rng.Chance(100)) {
    const uint64_t pick = rng.Below(3);
    add(collected_at + rng.Between(0, std::min(30 * kDay, room)), kLegitimateInterest, kGranted,
        kScopeSalesOutreach, rng.Chance(700) ? 0 : 3,
        static_cast<uint8_t>(pick == 2 ? kSourceCrmSync : kSourceInterestFirst + pick));
  }
  // Consent to tracking (analytics.intent's person-level intent) for about 15% of
  // people, a tenth of them withdrawn later. Drawn from a stream of its own, keyed by
  // the address, so the rest of the data is what it was without it.
  {
    uint64_t h = 1469598103934665603ull ^ options_.seed;
    for (char c : email) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
    Rng track(h);
    if (track.Chance(150)) {
      const int64_t at = collected_at + track.Between(0, std::min(30 * kDay, room));
      add(at, kConsent, kGranted, kScopeAnalytics, 0, 0);
      if (track.Chance(100) && as_of - at > kHour)
        add(at + track.Between(kHour, as_of - at), kConsent, kWithdrawn, kScopeAnalytics, 0,
            static_cast<uint8_t>(kSourceWithdrawFirst + track.Below(3)));
    }
  }
  // Stable insertion sort by time (keeps pending < granted < withdrawn on ties).
  for (int i = 1; i < n; ++i) {
    for (int j = i; j > 0 && rows[j - 1].at > rows[j].at; --j) std::swap(rows[j - 1], rows[j]);
  }
  for (int i = 0; i < n; ++i) {
    const BaseRow& row = rows[i];
    char* p = bases_file_.Row();
    p = Append(p, email);
    *p++ = ',';
    p = Append(p, kBasisNames[row.basis]);
    *p++ = ',';
    p = Append(p, kStatusNames[row.status]);
    *p++ = ',';
    p = Append(p, kScopes[row.scope]);
    *p++ = ',';
    p = Append(p, kChannels[row.channels]);
    *p++ = ',';
    p = AppendTime(p, row.at);
    *p++ = ',';
    if (row.confirmed_at >= 0) p = AppendTime(p, row.confirmed_at);
    *p++ = ',';
    if (row.expires_at >= 0) p = AppendTime(p, row.expires_at);
    *p++ = ',';
    p = Append(p, kSources[row.source]);
    *p++ = ',';
    p = AppendYearMonth(p, NoticeVersionTime(row.at));
    *p++ = '\n';
    bases_file_.End(p);
  }
  return n;
}

int Generator::WritePurchases(Rng& rng, std::string_view email) {
  if (!rng.Chance(80)) return 0;
  const uint64_t roll = rng.Below(10);
  const int n = roll < 7 ? 1 : roll < 9 ? 2 : 3;
  std::array<int64_t, 3> times;
  for (int i = 0; i < n; ++i) times[i] = options_.as_of - rng.Between(0, kPurchaseWindow);
  std::sort(times.begin(), times.begin() + n);
  for (int i = 0; i < n; ++i) {
    char* p = purchases_file_.Row();
    p = Append(p, email);
    *p++ = ',';
    p = Append(p, kPurchaseFamilies[t_.family.Pick(rng)].name);
    *p++ = ',';
    p = Append(p, kPurchaseKinds[rng.Chance(700) ? 0 : 1]);
    *p++ = ',';
    p = AppendTime(p, times[i]);
    *p++ = '\n';
    purchases_file_.End(p);
  }
  return n;
}

// Intent events. Accounts fall into three classes:
//  - hot (1% of accounts, 70% of the non-background events, skewed among
//    them): sustained activity over the whole window, ramping up towards
//    as_of, late stages and pricing;
//  - warm (4%, 30%): a burst of early/mid-stage research around one day;
//  - background: at most 5% of events, spread uniformly, touching at most a
//    quarter of the accounts, so most accounts have no events at all.
Status Generator::WriteEvents() {
  const int64_t as_of = options_.as_of;
  const uint64_t seed = Mix(options_.seed, kStreamEvents);
  const uint64_t traits_seed = Mix(options_.seed, kStreamAccountTraits);
  const uint64_t hot = std::max<uint64_t>(1, accounts_ / 100);
  const uint64_t warm = std::min(std::max<uint64_t>(1, accounts_ / 25), accounts_ - hot);
  const uint64_t background = events_ == 0 ? 0 : std::min(events_ / 20, accounts_ / 4);
  const uint64_t background_threshold =
      events_ == 0 ? 0
                   : static_cast<uint64_t>((static_cast<unsigned __int128>(background) << 32) /
                                           events_);
  constexpr size_t kTopicCount = std::size(kTopics);
  constexpr size_t kVendorCount = std::size(kVendors);
  uint64_t pending = 0;
  for (uint64_t j = 0; j < events_; ++j) {
    Rng rng(Mix(seed, j));
    EventClass cls;
    uint64_t account;
    if ((rng.Next() >> 32) < background_threshold) {
      cls = kCold;
      account = rng.Below(accounts_);
    } else if (warm == 0 || rng.Chance(700)) {
      cls = kHot;
      account = hotness_.Apply(rng.Skewed(hot));
    } else {
      cls = kWarm;
      account = hotness_.Apply(hot + rng.Below(warm));
    }
    Rng traits(Mix(traits_seed, account));
    const int primary_topic = t_.topic.Pick(traits);
    const int primary_vendor = t_.vendor.Pick(traits);
    const int64_t burst_age = traits.Between(7 * kDay, kEventWindow - 7 * kDay);

    int64_t age;
    int topic = primary_topic;
    switch (cls) {
      case kHot:  // density 2(1 - x): more recent events
        age = static_cast<int64_t>(std::min(rng.Below(kEventWindow + 1),
                                            rng.Below(kEventWindow + 1)));
        if (!rng.Chance(700)) topic = t_.topic.Pick(rng);
        break;
      case kWarm:  // triangular around the burst day, +-14 days
        age = std::clamp(burst_age + rng.Between(0, 14 * kDay) - rng.Between(0, 14 * kDay),
                         int64_t{0}, kEventWindow);
        if (!rng.Chance(500)) topic = static_cast<int>(rng.Below(kTopicCount));
        break;
      default:
        age = rng.Between(0, kEventWindow);
        topic = static_cast<int>(rng.Below(kTopicCount));
        break;
    }
    const int vendor = rng.Chance(400) ? primary_vendor : static_cast<int>(rng.Below(kVendorCount));

    char* p = events_file_.Row();
    p = AppendTime(p, as_of - age);
    *p++ = ',';
    p = Append(p, Domain(account));
    *p++ = ',';
    const uint32_t known = std::min<uint32_t>(ref_counts_[account], kRefSlots);
    if (known > 0 && rng.Chance(500)) {
      const uint32_t ref = refs_[account * kRefSlots + rng.Below(known)];
      p = AppendEmail(p, account, ref >> kRefPoolShift, ref & kRefKMask);
    }
    *p++ = ',';
    p = Append(p, kTopics[topic].name);
    *p++ = ',';
    p = Append(p, kVendors[vendor].name);
    *p++ = ',';
    p = Append(p, kEventStages[t_.event_stage[cls].Pick(rng)]);
    *p++ = ',';
    p = Append(p, kActions[t_.action[cls].Pick(rng)]);
    *p++ = '\n';
    events_file_.End(p);

    if (++pending == kProgressEvery) {
      FL_RETURN_IF_ERROR(Tick(pending, {&events_file_}));
      pending = 0;
    }
  }
  counts_.events = events_;
  return Tick(pending, {&events_file_});
}

template <typename T, size_t N, typename F>
const std::vector<std::string>* ListOf(const T (&items)[N], F name) {
  auto* list = new std::vector<std::string>();
  list->reserve(N);
  for (const T& item : items) list->push_back(name(item));
  return list;
}

std::string NameOf(const Weighted& item) { return item.name; }
std::string NameOf(const char* item) { return item; }
std::string NameOf(const CountrySpec& item) { return item.code; }

template <typename T, size_t N>
const std::vector<std::string>* ListOf(const T (&items)[N]) {
  return ListOf(items, [](const T& item) { return NameOf(item); });
}

}  // namespace

Status Generate(const GenOptions& options, GenCounts* counts,
                const std::function<void(uint64_t, uint64_t)>& progress) {
  if (options.out_dir.empty()) return Status::Invalid("gen: out_dir: must not be empty");
  if (options.people > kMaxPeople) {
    return Status::Invalid("gen: people: at most " + std::to_string(kMaxPeople));
  }
  if (options.events > kMaxEvents) {
    return Status::Invalid("gen: events: at most " + std::to_string(kMaxEvents));
  }
  if (options.as_of < kMinAsOf || options.as_of > kMaxAsOf) {
    return Status::Invalid("gen: as_of: must be between 2000-01-01 and 9999-12-31");
  }
  const Tables& tables = GetTables();
  FL_RETURN_IF_ERROR(tables.status);
  auto generator = std::make_unique<Generator>(options, tables, progress);
  return generator->Run(counts);
}

const std::vector<std::string>& Industries() {
  static const std::vector<std::string>* const kList = ListOf(kIndustries);
  return *kList;
}
const std::vector<std::string>& Seniorities() {
  static const std::vector<std::string>* const kList = ListOf(kSeniorities);
  return *kList;
}
const std::vector<std::string>& Functions() {
  static const std::vector<std::string>* const kList = ListOf(kFunctions);
  return *kList;
}
const std::vector<std::string>& Countries() {
  static const std::vector<std::string>* const kList = ListOf(kCountries);
  return *kList;
}
const std::vector<std::string>& Technologies() {
  static const std::vector<std::string>* const kList = ListOf(kTechnologies);
  return *kList;
}
const std::vector<std::string>& Topics() {
  static const std::vector<std::string>* const kList = ListOf(kTopics);
  return *kList;
}
const std::vector<std::string>& EmployeeBands() {
  static const std::vector<std::string>* const kList = ListOf(kEmployeeBands);
  return *kList;
}
const std::vector<std::string>& RevenueBands() {
  static const std::vector<std::string>* const kList = ListOf(kRevenueBands);
  return *kList;
}

}  // namespace fairlead::gen

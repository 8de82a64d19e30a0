/**
 * Word lists the seeded organisation is drawn from. Large enough that 10,000 users rarely need a middle
 * initial; the seed adds initials and numbers when a name repeats, so any size stays unique.
 */
export const FIRST_NAMES = [
  "Aaliyah", "Aaron", "Abigail", "Adam", "Adrian", "Aisha", "Alejandro", "Alex", "Alice", "Amara", "Amelia", "Amir",
  "Ana", "Andrea", "Andrew", "Anika", "Anna", "Anthony", "Arjun", "Astrid", "Ava", "Benjamin", "Bianca", "Bruno",
  "Caleb", "Camila", "Carlos", "Caroline", "Charlotte", "Chen", "Chloe", "Christopher", "Clara", "Daniel", "David",
  "Deepa", "Diego", "Dmitri", "Elena", "Elijah", "Elif", "Elizabeth", "Emily", "Emma", "Ethan", "Fatima", "Felix",
  "Fernando", "Fiona", "Gabriel", "Grace", "Hana", "Hannah", "Harper", "Hassan", "Henry", "Hiroshi", "Ibrahim",
  "Ingrid", "Isaac", "Isabella", "Ivan", "Jack", "Jacob", "James", "Jasmine", "Javier", "Jessica", "Ji-ho", "Joao",
  "John", "Jonas", "Joseph", "Julia", "Kai", "Karim", "Kenji", "Kofi", "Laila", "Lars", "Laura", "Leila", "Leo",
  "Liam", "Lily", "Lucas", "Lucia", "Maria", "Mariam", "Marco", "Mateo", "Maya", "Mei", "Mia", "Michael", "Mohammed",
  "Nadia", "Naomi", "Nathan", "Nia", "Nikolai", "Noah", "Nora", "Oliver", "Olivia", "Omar", "Oscar", "Paul", "Priya",
  "Rafael", "Rahul", "Rebecca", "Ricardo", "Rosa", "Ryan", "Sakura", "Samuel", "Santiago", "Sara", "Sebastian",
  "Sofia", "Sophie", "Stefan", "Tariq", "Thomas", "Tobias", "Valentina", "Victor", "William", "Yara", "Yusuf", "Zara",
  "Zoe",
] as const;

export const LAST_NAMES = [
  "Abbott", "Adeyemi", "Ahmed", "Alvarez", "Andersen", "Bauer", "Becker", "Bennett", "Bergström", "Brooks", "Brown",
  "Campbell", "Carter", "Castillo", "Chen", "Clarke", "Cohen", "Costa", "Cruz", "Dubois", "Edwards", "Evans",
  "Fernandez", "Fischer", "Fitzgerald", "Garcia", "Gonzalez", "Green", "Gupta", "Hall", "Hansen", "Harris", "Hayashi",
  "Hernandez", "Hoffmann", "Hughes", "Ito", "Jackson", "Jensen", "Johnson", "Jones", "Kaur", "Kelly", "Khan", "Kim",
  "Klein", "Kowalski", "Kumar", "Larsen", "Lee", "Lewis", "Li", "Lopez", "Martin", "Martinez", "Meyer", "Miller",
  "Mitchell", "Moreau", "Morris", "Muller", "Murphy", "Nakamura", "Nguyen", "Novak", "Nowak", "O'Brien", "Okafor",
  "Olsen", "Ortiz", "Park", "Patel", "Perez", "Peters", "Petrov", "Ramirez", "Reyes", "Richter", "Rivera",
  "Roberts", "Robinson", "Rodriguez", "Rossi", "Russo", "Sanchez", "Santos", "Sato", "Schmidt", "Schneider", "Shah",
  "Silva", "Singh", "Smith", "Suzuki", "Tanaka", "Taylor", "Thompson", "Torres", "Turner", "Walker", "Wang",
  "Watanabe", "Weber", "White", "Williams", "Wilson", "Wong", "Wright", "Yamamoto", "Yilmaz", "Young", "Zhang",
] as const;

export const JOB_TITLES = [
  "Software Engineer", "Senior Software Engineer", "Staff Engineer", "Principal Engineer", "Site Reliability Engineer",
  "Senior SRE", "DevOps Engineer", "Platform Engineer", "Engineering Manager", "Director of Engineering",
  "Security Engineer", "Database Administrator", "Network Engineer", "QA Engineer", "Data Engineer",
  "Product Manager", "Support Engineer", "Customer Success Manager", "Technical Program Manager", "Incident Commander",
  "VP of Engineering", "Mobile Engineer", "Frontend Engineer", "Backend Engineer", "Solutions Architect",
] as const;

/** Real IANA zones; the first five are the ones tests rely on. */
export const TIME_ZONES = [
  "America/New_York", "Europe/Berlin", "Europe/London", "Asia/Tokyo", "America/Los_Angeles",
  "America/Chicago", "Europe/Paris", "Asia/Kolkata", "Australia/Sydney", "America/Sao_Paulo", "Etc/UTC",
] as const;

/** PagerDuty's schedule colours. */
export const COLORS = [
  "purple", "red", "green", "blue", "teal", "orange", "brown", "turquoise", "dark-slate-blue", "cayenne",
  "orange-red", "dark-orchid", "dark-slate-grey", "lime", "dark-magenta", "lime-green", "midnight-blue",
  "deep-pink", "dark-green", "dark-orange", "dark-cyan", "darkolive-green", "dark-slate-gray",
] as const;

export const TEAM_AREAS = [
  "Platform", "Payments", "Checkout", "Identity", "Search", "Billing", "Messaging", "Notifications", "Storage",
  "Networking", "Observability", "Data", "Mobile", "Web", "API", "Growth", "Security", "Compliance", "Infrastructure",
  "Database", "Edge", "Catalog", "Orders", "Fulfilment", "Inventory", "Pricing", "Recommendations", "Analytics",
  "Integrations", "Auth", "Streaming", "Media", "Maps", "Logistics", "Support Tools", "Developer Experience",
  "Release", "Reliability", "Customer Portal", "Partner API",
] as const;

export const TEAM_FUNCTIONS = [
  "Engineering", "SRE", "Operations", "Backend", "Frontend", "On-Call", "Core", "Services", "Infrastructure",
  "Response", "Automation", "Tooling", "Ingestion", "Gateway", "Runtime",
] as const;

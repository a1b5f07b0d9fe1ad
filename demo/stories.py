"""Original demo content for Newsroom, written for this project."""

CATEGORIES = [
    # (slug, name, description, parent_slug or None, menu_order)
    (
        "actualite",
        "Actualité",
        "L’essentiel de l’actualité française, du fil info aux grands dossiers de société.",
        None,
        1,
    ),
    (
        "politique",
        "Politique",
        (
            "La vie politique nationale et locale, des couloirs de l’Assemblée aux conseils "
            "municipaux."
        ),
        "actualite",
        1,
    ),
    (
        "europe",
        "Europe",
        "L’Union européenne, ses institutions et l’actualité de nos voisins du continent.",
        None,
        2,
    ),
    (
        "monde",
        "Monde",
        "Reportages, analyses et décryptages de l’actualité internationale.",
        None,
        3,
    ),
    (
        "economie",
        "Économie",
        "Conjoncture, entreprises, emploi et consommation : l’économie qui touche au quotidien.",
        None,
        4,
    ),
    (
        "culture",
        "Culture",
        "Expositions, livres, musique et spectacles : la vie culturelle en France et ailleurs.",
        None,
        5,
    ),
    (
        "cinema",
        "Cinéma",
        "Sorties en salles, festivals et rencontres avec celles et ceux qui font le cinéma.",
        "culture",
        1,
    ),
    (
        "sport",
        "Sport",
        "Résultats, portraits et enjeux du sport professionnel comme du sport amateur.",
        None,
        6,
    ),
]

AUTHORS = [
    {
        "slug": "claire-vasseur",
        "name": "Claire Vasseur",
        "bio": (
            "Correspondante à Bruxelles, Claire Vasseur suit les institutions européennes et les "
            "questions de défense. Elle a auparavant couvert l’Europe centrale pendant six ans."
        ),
        "colour": "#2a4d69",
    },
    {
        "slug": "julien-morel",
        "name": "Julien Morel",
        "bio": (
            "Julien Morel est chef adjoint du service Économie, spécialiste de la politique "
            "monétaire et de l’énergie. Il a rejoint la rédaction après dix ans dans la presse "
            "financière."
        ),
        "colour": "#7a4e2d",
    },
    {
        "slug": "lea-marchand",
        "name": "Léa Marchand",
        "bio": (
            "Léa Marchand est journaliste au service Culture, où elle couvre le cinéma et les arts "
            "visuels. Elle arpente chaque année une dizaine de festivals en France et à l’étranger."
        ),
        "colour": "#8e3b5f",
    },
    {
        "slug": "thomas-renaud",
        "name": "Thomas Renaud",
        "bio": (
            "Reporter au service Actualité, Thomas Renaud raconte la vie des territoires, de la "
            "politique locale au sport amateur. Il couvre aussi le cyclisme depuis une quinzaine "
            "d’années."
        ),
        "colour": "#3d6b45",
    },
]

STORIES = [
    {
        "slug": "lotan-craint-que-leffort-de-defense-des-europeens-ne-sessouffle",
        "kicker": "Défense",
        "title": "L’Otan craint que l’effort de défense des Européens ne s’essouffle",
        "lead": (
            "Dans une note de travail, les planificateurs de l’Alliance s’inquiètent d’un "
            "relâchement des budgets militaires européens une fois l’urgence passée. Les capitales "
            "promettent de tenir leurs engagements, sans toujours dire comment."
        ),
        "body": (
            "<p>Les chiffres sont flatteurs, mais ils ne rassurent pas tout le monde à Bruxelles. "
            "Selon une note de travail rédigée par les services de planification de l’Otan, que "
            "Newsroom a pu consulter, la hausse des dépenses militaires observée ces dernières "
            "années en Europe pourrait marquer le pas bien avant que les objectifs capacitaires "
            "fixés par l’Alliance ne soient atteints.</p>"
            "<p>Le document, d’une vingtaine de pages, ne met en cause aucun pays en particulier. "
            "Il décrit plutôt un risque collectif : celui d’un effort concentré sur des achats "
            "rapides, visibles et politiquement rentables, au détriment des investissements de "
            "long terme – formation, stocks, maintenance, infrastructures – qui conditionnent "
            "pourtant la capacité réelle des armées à durer.</p>"
            "<h2>Des budgets en hausse, des capacités à la traîne</h2>"
            "<p>Sur le papier, la trajectoire est claire. Une large majorité des alliés européens "
            "affichent désormais des budgets de défense supérieurs au seuil de référence de "
            "l’Alliance, et plusieurs ont inscrit dans la loi des hausses pluriannuelles. Mais les "
            "auteurs de la note soulignent que l’argent dépensé ne se transforme pas mécaniquement "
            "en capacités disponibles.</p>"
            "<p>Les délais de livraison des industriels restent longs, les chaînes de production "
            "peinent à recruter, et une partie des crédits votés n’est pas consommée dans l’année. "
            "« Nous avons réglé la question du montant, nous n’avons pas encore réglé celle du "
            "rythme », résume un diplomate d’un pays d’Europe du Nord, qui a requis l’anonymat.</p>"
            "<h2>La crainte d’un « retour à la normale »</h2>"
            "<p>Au siège de l’Alliance, on redoute surtout l’effet du temps. Les précédents "
            "existent : après chaque période de tension, les budgets militaires européens ont fini "
            "par refluer, sous la pression d’autres priorités. Cette fois, la note évoque "
            "explicitement le risque d’une « fatigue budgétaire » dans les pays dont les finances "
            "publiques sont déjà contraintes.</p>"
            "<p>Hélène Kervella, chercheuse associée à l’Institut d’études stratégiques de "
            "l’Ouest, partage cette inquiétude. Elle rappelle qu’un avion de combat commandé "
            "aujourd’hui volera encore dans quarante ans, et que la planification militaire se "
            "compte en décennies :</p>"
            "<blockquote>"
            "<p>« Le danger n’est pas que les Européens renoncent du jour au lendemain. Le danger, "
            "c’est qu’ils ralentissent doucement, chacun de son côté, et que personne ne s’en "
            "aperçoive avant qu’il soit trop tard. »</p></blockquote>"
            "<h2>Les pistes sur la table</h2>"
            "<p>Pour éviter ce scénario, plusieurs options circulent parmi les alliés :</p>"
            "<ul>"
            "<li>inscrire des engagements pluriannuels contraignants, examinés chaque année par "
            "les ministres de la Défense ;</li>"
            "<li>mutualiser davantage les commandes afin de donner de la visibilité aux "
            "industriels ;</li>"
            "<li>consacrer une part fixe des hausses budgétaires aux stocks, à la formation et à "
            "la maintenance.</li></ul>"
            "<p>Aucune de ces pistes ne fait encore consensus. Certains gouvernements jugent qu’un "
            "mécanisme de suivi supplémentaire empiéterait sur les prérogatives des parlements "
            "nationaux. D’autres plaident pour que l’Union européenne, qui a multiplié les "
            "instruments de financement de la défense, prenne une part plus importante du "
            "fardeau.</p>"
            "<p>Les ministres de la Défense des pays de l’Alliance doivent en débattre lors de "
            "leur prochaine réunion. D’ici là, la note circule dans les délégations, et son "
            "message est limpide : l’effort ne vaut que s’il dure.</p>"
        ),
        "category": "europe",
        "authors": ["claire-vasseur"],
        "tags": ["Otan", "Défense", "Union européenne"],
        "featured": True,
        "access": "free",
        "published_days_ago": 0.3,
        "image": {
            "caption": "Des drapeaux des pays membres devant un bâtiment de l’Alliance atlantique.",
            "credit": "Illustration Newsroom",
            "alt": "Une rangée de drapeaux nationaux flottant au vent devant une façade vitrée.",
            "colour": "#2a4d69",
        },
        "read_more": [
            ("story", "munitions-la-commission-europeenne-veut-accelerer-les-achats-groupes"),
            (
                "story",
                "dans-le-grand-nord-lotan-muscle-sa-surveillance-des-routes-maritimes-arctiques",
            ),
            (
                "url",
                "https://example.com/en/nato-fears-european-defence-effort-may-run-out-of-steam",
                "Lire aussi l’édition anglaise",
            ),
        ],
    },
    {
        "slug": "cyclisme-maxime-roussel-sempare-du-maillot-de-leader-des-boucles-de-laubrac",
        "kicker": "Cyclisme",
        "title": "Cyclisme : Maxime Roussel s’empare du maillot de leader des Boucles de l’Aubrac",
        "lead": (
            "Le grimpeur de 24 ans a remporté en solitaire la quatrième étape, au terme d’une "
            "attaque lancée sous la pluie. Il compte désormais 38 secondes d’avance au classement "
            "général."
        ),
        "body": (
            "<p>Il a attaqué à vingt-deux kilomètres de l’arrivée, dans la partie la plus raide de "
            "la montée vers le plateau, et personne n’a pu le suivre. Sous une pluie battante, "
            "Maxime Roussel a remporté en solitaire la quatrième étape des Boucles de l’Aubrac, et "
            "s’est emparé du même coup du maillot de leader du classement général.</p>"
            "<p>Dans la descente finale, sur une chaussée rendue glissante par l’averse, il a géré "
            "son avance sans prendre de risques inutiles, avant de franchir la ligne les bras "
            "levés, avec plus d’une demi-minute d’avance sur un petit groupe de poursuivants.</p>"
            "<h2>Une attaque préparée depuis l’hiver</h2>"
            "<p>Le coureur de 24 ans, qui dispute sa deuxième saison chez les professionnels, n’a "
            "pas caché que cette étape était cochée depuis longtemps. « J’ai reconnu la montée "
            "trois fois pendant l’hiver. Je savais exactement où je voulais attaquer », a-t-il "
            "confié sur la ligne, encore transi de froid.</p>"
            "<p>Son équipe avait parfaitement préparé le terrain, en imprimant un rythme soutenu "
            "dès le pied de l’ascension pour écrémer le peloton. Lorsque le jeune grimpeur a placé "
            "son accélération, seuls quatre coureurs étaient encore dans sa roue. Aucun n’a pu "
            "répondre. Son directeur sportif, Frédéric Lanoix, ne tarissait pas d’éloges :</p>"
            "<blockquote>"
            "<p>« Maxime a un moteur hors du commun, mais ce qui m’impressionne le plus, c’est sa "
            "lucidité. Il ne gaspille jamais une cartouche. »</p></blockquote>"
            "<h2>Le classement général bouleversé</h2>"
            "<p>Le leader du matin, le sprinteur belge Jens De Wilde, a logiquement cédé plusieurs "
            "minutes dans l’ascension. Au classement général, le nouveau porteur du maillot "
            "devance désormais l’Espagnol Iker Mendizabal et le Français Romain Castaing, tous "
            "deux réputés bons rouleurs.</p>"
            "<p>Le classement général au soir de la quatrième étape :</p>"
            "<ol>"
            "<li>Maxime Roussel ;</li>"
            "<li>Iker Mendizabal, à 38 secondes ;</li>"
            "<li>Romain Castaing, à 52 secondes ;</li>"
            "<li>Tobias Lindqvist, à 1 min 10 s ;</li>"
            "<li>Jens De Wilde, à 3 min 45 s.</li></ol>"
            "<p>La bataille pour le classement du meilleur grimpeur a elle aussi pris une nouvelle "
            "tournure. En franchissant en tête les deux dernières difficultés du jour, Maxime "
            "Roussel a engrangé suffisamment de points pour prendre également la tête de ce "
            "classement annexe. Une double récompense qui fait de lui l’homme à battre.</p>"
            "<h2>Un contre-la-montre pour trancher</h2>"
            "<p>Rien n’est pourtant joué. La course se terminera par un contre-la-montre de "
            "vingt-huit kilomètres, un exercice dans lequel Maxime Roussel reconnaît avoir encore "
            "des progrès à faire. « Trente-huit secondes, c’est bien, mais ce n’est pas énorme "
            "face à des spécialistes. Je vais devoir souffrir », a-t-il prévenu.</p>"
            "<p>D’ici là, une étape de moyenne montagne, promise aux baroudeurs, attend le "
            "peloton. Les organisateurs espèrent une météo plus clémente : malgré la pluie, des "
            "milliers de spectateurs s’étaient massés le long des routes du plateau pour "
            "encourager les coureurs, certains ayant planté leur tente dès la veille.</p>"
        ),
        "category": "sport",
        "authors": ["thomas-renaud"],
        "tags": ["Cyclisme", "Sport", "Aubrac"],
        "featured": False,
        "access": "free",
        "published_days_ago": 0.8,
        "image": {
            "caption": "Le peloton dans la montée vers le plateau de l’Aubrac.",
            "credit": "Illustration Newsroom",
            "alt": "Des coureurs cyclistes en file indienne sur une route de montagne détrempée.",
            "colour": "#d9a420",
        },
        "read_more": [
            (
                "story",
                "rugby-amateur-les-petits-clubs-asphyxies-par-la-flambee-des-frais-de-deplacement",
            )
        ],
        # A live story (En direct): its entries, (minutes ago, title, text, key point).
        "live": [
            (
                240,
                "Départ sous la pluie",
                "<p>Le peloton s’élance de Laguiole sous une pluie fine. 152 coureurs au départ "
                "de cette cinquième étape, longue de 178 kilomètres.</p>",
                False,
            ),
            (
                170,
                "",
                "<p>Cinq coureurs ont pris le large au kilomètre 12. Leur avance atteint trois "
                "minutes au passage du premier col.</p>",
                False,
            ),
            (
                95,
                "Roussel bien entouré",
                "<p>L’équipe du maillot de leader roule en tête du peloton et contrôle "
                "l’écart : « On ne laissera pas partir trop loin », confie son directeur "
                "sportif.</p>",
                False,
            ),
            (
                40,
                "L’échappée reprise",
                "<p>À 25 kilomètres de l’arrivée, les derniers échappés sont rejoints dans la "
                "montée vers le plateau.</p>",
                True,
            ),
            (
                8,
                "",
                "<p>Attaque de Maxime Roussel à 6 kilomètres du sommet ! Seuls deux coureurs "
                "parviennent à suivre.</p>",
                False,
            ),
        ],
    },
    {
        "slug": "la-bce-laisse-ses-taux-inchanges-et-temporise-face-a-une-inflation-tetue",
        "kicker": "Politique monétaire",
        "title": "La BCE laisse ses taux inchangés et temporise face à une inflation têtue",
        "lead": (
            "L’institution de Francfort a choisi le statu quo, jugeant trop tôt pour crier "
            "victoire face à la hausse des prix dans les services. Les marchés guettent désormais "
            "des signaux pour les prochains mois."
        ),
        "body": (
            "<p>Pas de surprise à Francfort. Le conseil des gouverneurs de la Banque centrale "
            "européenne (BCE) a décidé de maintenir ses trois taux directeurs à leur niveau "
            "actuel, à l’issue de sa réunion de politique monétaire. Une décision largement "
            "anticipée par les marchés, mais assortie d’un message de prudence qui a refroidi les "
            "espoirs d’un assouplissement rapide.</p>"
            "<h2>Les services, talon d’Achille de la désinflation</h2>"
            "<p>Si la hausse des prix de l’énergie et des biens manufacturés s’est nettement "
            "modérée, l’inflation dans les services reste plus persistante que prévu, selon le <a "
            'href="https://example.org/bce/communique-politique-monetaire">communiqué publié à '
            "l’issue de la réunion</a>. Les salaires, qui rattrapent progressivement la perte de "
            "pouvoir d’achat des années précédentes, continuent d’alimenter les prix dans la "
            "restauration, les loisirs ou les services à la personne.</p>"
            "<p>Sur les marchés, l’euro s’est légèrement raffermi après l’annonce, tandis que les "
            "rendements des emprunts d’État sont restés quasiment inchangés. Les investisseurs ont "
            "surtout retenu que l’institution refusait de s’engager sur un calendrier.</p>"
            "<h2>Des économistes partagés</h2>"
            "<p>Chez les économistes, le diagnostic diverge. Pour Marc-Antoine Delorme, économiste "
            "en chef d’une banque privée parisienne, la BCE a raison de ne pas se précipiter :</p>"
            "<blockquote>"
            "<p>« Baisser les taux trop tôt, c’est prendre le risque de devoir les remonter six "
            "mois plus tard. Pour une banque centrale, la crédibilité se perd beaucoup plus vite "
            "qu’elle ne se reconquiert. »</p></blockquote>"
            "<p>D’autres jugent au contraire que l’institution tarde trop. Isabelle Fontanel, "
            "professeure d’économie, souligne que l’investissement des entreprises ralentit et que "
            "le marché immobilier reste grippé dans plusieurs pays de la zone euro. « La politique "
            "monétaire agit avec un décalage de douze à dix-huit mois. Si l’on attend de voir "
            "l’inflation revenue à la cible, on arrivera après la bataille », estime-t-elle.</p>"
            "<h2>Ce que cela change pour les ménages</h2>"
            "<p>Pour les particuliers, le statu quo a des effets contrastés :</p>"
            "<ul>"
            "<li>les taux des crédits immobiliers devraient rester stables à court terme, les "
            "banques ayant déjà intégré le scénario d’une pause ;</li>"
            "<li>la rémunération des comptes à terme et de certains livrets ne devrait pas baisser "
            "dans l’immédiat ;</li>"
            "<li>les emprunteurs à taux variable, minoritaires en France mais nombreux ailleurs en "
            "Europe, devront patienter avant de voir leurs mensualités diminuer.</li></ul>"
            "<p>La prochaine réunion de politique monétaire s’annonce plus ouverte. Les nouvelles "
            "projections macroéconomiques des services de l’institution, attendues à cette "
            "occasion, diront si la banque centrale se sent enfin en mesure d’entamer un cycle de "
            "baisse, ou si la prudence restera de mise jusqu’à nouvel ordre.</p>"
        ),
        "category": "economie",
        "authors": ["julien-morel"],
        "tags": ["BCE", "Inflation", "Taux d’intérêt", "Zone euro"],
        "featured": False,
        "access": "free",
        "published_days_ago": 1.2,
        "image": {
            "caption": (
                "La façade d’une banque centrale, un soir de réunion de politique monétaire."
            ),
            "credit": "Illustration Newsroom",
            "alt": "Une tour de bureaux éclairée se détachant sur un ciel crépusculaire.",
            "colour": "#1f3a5f",
        },
        "read_more": [
            ("story", "electricite-les-menages-invites-a-comparer-leurs-contrats-avant-lhiver"),
            (
                "url",
                "https://example.org/european-times/ecb-keeps-rates-on-hold",
                "Lire aussi The European Times",
            ),
        ],
    },
    {
        "slug": "munitions-la-commission-europeenne-veut-accelerer-les-achats-groupes",
        "kicker": "Industrie de défense",
        "title": "Munitions : la Commission européenne veut accélérer les achats groupés",
        "lead": (
            "Bruxelles propose d’élargir les achats communs de munitions et de garantir aux "
            "industriels des commandes sur plusieurs années. Les États membres restent divisés sur "
            "le financement."
        ),
        "body": (
            "<p>La Commission européenne a présenté cette semaine une série de propositions "
            "destinées à accélérer les achats groupés de munitions entre États membres. Objectif "
            "affiché : donner aux industriels la visibilité qui leur manque pour investir dans de "
            "nouvelles lignes de production, et éviter que les pays européens ne se fassent "
            "concurrence sur un marché déjà saturé.</p>"
            "<h2>Des contrats sur cinq ans</h2>"
            "<p>Le cœur du dispositif repose sur des contrats-cadres pluriannuels. Plutôt que de "
            "multiplier les appels d’offres nationaux, souvent modestes et dispersés, les "
            "capitales volontaires pourraient s’engager ensemble sur des volumes garantis pendant "
            "cinq ans. La Commission jouerait le rôle de coordinateur et pourrait, dans certains "
            "cas, apporter une garantie financière pour couvrir une partie des investissements des "
            "fabricants.</p>"
            "<p>« Les industriels nous disent tous la même chose : ils sont prêts à construire des "
            "usines, à condition de savoir qu’elles tourneront encore dans trois ans », explique "
            "Pieter Van Hoorde, fonctionnaire chargé du dossier au sein de l’exécutif européen.</p>"
            "<p>Le texte prévoit également :</p>"
            "<ul>"
            "<li>un inventaire commun des stocks disponibles, partagé de façon confidentielle "
            "entre les États participants ;</li>"
            "<li>une procédure accélérée de certification croisée, afin qu’un obus produit dans un "
            "pays puisse être tiré par les canons d’un autre ;</li>"
            "<li>une priorité donnée aux sites de production situés sur le territoire de "
            "l’Union.</li></ul>"
            "<h2>La question du financement divise</h2>"
            "<p>Reste à savoir qui paiera. Les pays les plus exposés, sur le flanc est de l’Union, "
            "plaident pour un financement commun de grande ampleur, adossé à un emprunt européen. "
            "D’autres capitales, attachées à l’orthodoxie budgétaire, refusent toute nouvelle "
            "dette commune et préfèrent mobiliser les crédits existants du budget de l’Union.</p>"
            "<p>Agnieszka Wolny, eurodéputée et membre de la sous-commission sécurité et défense "
            "du Parlement européen, résume l’impatience d’une partie de l’hémicycle :</p>"
            "<blockquote>"
            "<p>« On ne peut pas demander aux industriels de prendre des risques si les États "
            "eux-mêmes ne sont pas capables de s’engager au-delà d’un exercice "
            "budgétaire. »</p></blockquote>"
            "<h2>Une articulation délicate avec l’Otan</h2>"
            "<p>La proposition devra aussi s’articuler avec les objectifs fixés par l’Otan, qui "
            "dispose de ses propres normes et de sa propre planification. À Bruxelles, on assure "
            "que les deux démarches sont complémentaires : l’Alliance définit les besoins, l’Union "
            "aide à financer et à organiser la production. Mais les diplomates reconnaissent que "
            "la frontière n’est pas toujours simple à tracer, notamment pour les pays qui "
            "appartiennent à l’une sans appartenir à l’autre.</p>"
            "<p>Les ministres doivent examiner le texte dans les prochaines semaines. Le Parlement "
            "européen, qui sera associé à la procédure, a déjà fait savoir qu’il entendait obtenir "
            "un droit de regard sur le choix des projets financés, et sur les critères retenus "
            "pour désigner les sites de production éligibles.</p>"
        ),
        "category": "europe",
        "authors": ["claire-vasseur", "julien-morel"],
        "tags": ["Défense", "Union européenne", "Industrie", "Otan"],
        "featured": False,
        "access": "free",
        "published_days_ago": 2.1,
        "image": {
            "caption": "Une chaîne de production dans une usine d’armement en Europe.",
            "credit": "Illustration Newsroom",
            "alt": (
                "Des ouvriers en tenue de travail inspectent des pièces métalliques sur une ligne "
                "d’assemblage."
            ),
            "colour": "#4a5a3c",
        },
        "read_more": [("story", "lotan-craint-que-leffort-de-defense-des-europeens-ne-sessouffle")],
    },
    {
        "slug": "festival-de-saint-aubin-les-heures-claires-remporte-le-grand-prix-du-jury",
        "kicker": "Palmarès",
        "title": "Festival de Saint-Aubin : « Les Heures claires » remporte le Grand Prix du jury",
        "lead": (
            "Le premier long-métrage de Margaux Delval, chronique d’un été dans une ferme du "
            "Morvan, a été sacré lors de la soirée de clôture. Un palmarès qui fait la part belle "
            "aux jeunes cinéastes."
        ),
        "body": (
            "<p>Il y a eu un long silence, puis une ovation. En recevant le Grand Prix du jury du "
            "Festival de Saint-Aubin, Margaux Delval a d’abord cherché ses mots, avant de dédier "
            "son film « à tous ceux qui restent ». Premier long-métrage de la réalisatrice, "
            "<em>Les Heures claires</em> s’est imposé face à onze autres films en compétition, au "
            "terme d’une édition particulièrement relevée.</p>"
            "<h2>Un été dans le Morvan</h2>"
            "<p>Le film suit Jeanne, dix-sept ans, pendant l’été où ses parents, éleveurs "
            "laitiers, décident de vendre l’exploitation familiale. Sans grands effets ni "
            "rebondissements spectaculaires, Margaux Delval filme le temps qui passe, les gestes "
            "du travail, les silences à table et les premières échappées d’une adolescente qui "
            "hésite entre l’attachement à la terre et l’envie de partir.</p>"
            "<p>La jeune comédienne Inès Marchal, révélée par ce rôle, porte le film de bout en "
            "bout. Le jury, présidé par le cinéaste Paul Arnaud-Vidal, a salué « une œuvre d’une "
            "justesse rare, qui regarde le monde rural sans condescendance ni nostalgie ». Dans "
            "les coulisses, la réalisatrice est revenue sur la genèse du projet :</p>"
            "<blockquote>"
            "<p>« Je voulais filmer ces fermes qui ferment sans bruit, une par une, et dont "
            "personne ne parle. Ce prix, c’est aussi pour les familles qui m’ont ouvert leur porte "
            "pendant le tournage. »</p></blockquote>"
            "<h2>Un palmarès ouvert sur le monde</h2>"
            "<p>Le reste du palmarès témoigne de la diversité de la sélection :</p>"
            "<ul>"
            "<li>Prix de la mise en scène : <em>Marée basse</em>, de Tomás Ibarra, huis clos tendu "
            "sur un chalutier au large de la Galice ;</li>"
            "<li>Prix d’interprétation : Samuel Okafor pour <em>Le Fils du gardien</em> ;</li>"
            "<li>Prix du public : <em>Nos dimanches</em>, comédie douce-amère de Clara Meunier et "
            "Hugo Bertin ;</li>"
            "<li>Mention spéciale : <em>Ligne 7</em>, documentaire tourné à bord d’un bus de "
            "nuit.</li></ul>"
            "<h2>Un festival qui grandit</h2>"
            "<p>Créé il y a une quinzaine d’années par une poignée de cinéphiles, le festival "
            "consacré aux premiers et deuxièmes films s’est imposé comme un rendez-vous repéré par "
            "les distributeurs. Cette année, la fréquentation a encore progressé, portée par les "
            "séances scolaires et une programmation hors les murs dans les villages alentour. Les "
            "organisateurs ont également renforcé la place des rencontres professionnelles, qui "
            "permettent aux jeunes réalisateurs de présenter leurs projets en cours à des "
            "producteurs et à des chaînes de télévision.</p>"
            "<p>Pour <em>Les Heures claires</em>, la suite s’annonce prometteuse : le film, déjà "
            "acquis par un distributeur, devrait sortir en salles dans les prochains mois. La "
            "directrice artistique du festival, Anne Lemoine, s’en réjouit : « Notre rôle, c’est "
            "d’être le premier tremplin. Voir un film partir d’ici vers les salles, c’est notre "
            "plus belle récompense. »</p>"
        ),
        "category": "cinema",
        "authors": ["lea-marchand"],
        "tags": ["Cinéma", "Festivals", "Premier film"],
        "featured": False,
        "access": "free",
        "published_days_ago": 2.8,
        "image": {
            "caption": "La salle principale du festival avant la cérémonie de clôture.",
            "credit": "Illustration Newsroom",
            "alt": "Une salle de cinéma aux fauteuils rouges, baignée d’une lumière tamisée.",
            "colour": "#8e3b5f",
        },
        "read_more": [
            ("story", "a-montclair-un-siecle-daffiches-de-cinema-sort-des-reserves-du-musee")
        ],
    },
    {
        "slug": "a-montclair-sur-loire-le-projet-de-tramway-fracture-la-majorite-municipale",
        "kicker": "Municipales",
        "title": "À Montclair-sur-Loire, le projet de tramway fracture la majorité municipale",
        "lead": (
            "Le projet phare du mandat, une ligne de tramway de neuf kilomètres, divise la "
            "coalition au pouvoir après un nouveau dérapage des coûts. Une partie de l’opposition "
            "réclame un référendum local."
        ),
        "body": (
            "<p>La séance du conseil municipal devait être une formalité. Elle s’est transformée "
            "en règlement de comptes. À Montclair-sur-Loire, 48 000 habitants, le vote sur le plan "
            "de financement de la future ligne de tramway a été reporté, faute de majorité "
            "assurée, après la défection de sept élus de la majorité.</p>"
            "<h2>Un projet phare devenu pomme de discorde</h2>"
            "<p>Promis pendant la campagne, le tramway doit relier la gare au quartier des "
            "Tanneries et au campus universitaire, sur un tracé de neuf kilomètres. Le coût, "
            "initialement estimé à 210 millions d’euros, a été révisé à la hausse au fil des "
            "études pour atteindre près de 260 millions. C’est ce dérapage qui a mis le feu aux "
            "poudres.</p>"
            "<p>« Nous avons été élus sur un projet, pas sur un chèque en blanc », a lancé en "
            "séance Nathalie Brossard, adjointe chargée des finances, qui a pris la tête des "
            "frondeurs. Elle plaide pour un tracé raccourci dans un premier temps, ou pour une "
            "ligne de bus à haut niveau de service, moins coûteuse et plus rapide à mettre en "
            "œuvre.</p>"
            "<h2>Le maire ne veut pas reculer</h2>"
            "<p>Le maire, Bernard Lecomte, refuse pour l’instant de revoir sa copie. Il met en "
            "avant le soutien de l’État et de la région, qui financeraient ensemble près d’un "
            "tiers de l’investissement, et les gains attendus en matière de qualité de l’air et de "
            "désenclavement des quartiers. À l’issue de la séance, il a défendu le projet avec "
            "vigueur :</p>"
            "<blockquote>"
            "<p>« Chaque fois qu’une ville a renoncé à un tramway pour faire des économies, elle "
            "l’a regretté dix ans plus tard. Je ne serai pas le maire qui a fait rater ce "
            "rendez-vous à Montclair. »</p></blockquote>"
            "<p>Dans l’opposition, on savoure. Le groupe de droite, qui a toujours combattu le "
            "projet, réclame désormais un référendum local. Une idée que certains frondeurs de la "
            "majorité ne rejettent plus, même si d’autres y voient un piège tendu par leurs "
            "adversaires.</p>"
            "<h2>Commerçants et riverains dans l’expectative</h2>"
            "<p>Sur le terrain, l’incertitude pèse. L’association des commerçants du centre-ville "
            "craint des années de travaux sans garantie d’aboutissement. Les habitants des "
            "Tanneries, eux, attendent depuis longtemps une liaison rapide avec le centre. « On "
            "nous parle du tramway depuis que mes enfants sont à l’école primaire. Aujourd’hui, "
            "ils sont au lycée », soupire Karim, qui fait chaque jour le trajet en bus vers son "
            "travail.</p>"
            "<p>Le maire a annoncé une nouvelle réunion de sa majorité dans les prochains jours. "
            "Le plan de financement devra être adopté avant la fin de l’année pour ne pas perdre "
            "le bénéfice des subventions promises par l’État et la région.</p>"
        ),
        "category": "politique",
        "authors": ["thomas-renaud"],
        "tags": ["Politique locale", "Transports", "Montclair-sur-Loire"],
        "featured": False,
        "access": "free",
        "published_days_ago": 3.4,
        "image": {
            "caption": "La salle du conseil municipal de Montclair-sur-Loire.",
            "credit": "Illustration Newsroom",
            "alt": "Une salle de conseil aux boiseries claires, avec des pupitres disposés en U.",
            "colour": "#6b3e26",
        },
        "read_more": [
            ("story", "a-montclair-un-siecle-daffiches-de-cinema-sort-des-reserves-du-musee")
        ],
    },
    {
        "slug": "electricite-les-menages-invites-a-comparer-leurs-contrats-avant-lhiver",
        "kicker": "Consommation",
        "title": "Électricité : les ménages invités à comparer leurs contrats avant l’hiver",
        "lead": (
            "Associations de consommateurs et conseillers en énergie appellent les particuliers à "
            "vérifier leur offre avant la saison de chauffe. Les écarts de prix entre fournisseurs "
            "se sont creusés."
        ),
        "body": (
            "<p>À l’approche de l’hiver, le message est martelé par les associations de "
            "consommateurs : il est temps de ressortir ses factures. Depuis l’ouverture du marché "
            "à la concurrence, des dizaines de fournisseurs proposent des offres d’électricité aux "
            "particuliers, mais une large majorité des ménages n’a jamais changé de contrat, ni "
            "même vérifié s’il restait adapté à sa consommation.</p>"
            "<h2>Des écarts qui se creusent</h2>"
            "<p>Or les différences de prix entre les offres sont loin d’être négligeables. Selon "
            "un comparatif réalisé par une association de consommateurs, l’écart annuel entre "
            "l’offre la plus chère et la moins chère peut dépasser 200 euros pour un logement "
            "chauffé à l’électricité. Les offres à prix fixe, qui garantissent le prix du "
            "kilowattheure pendant un ou deux ans, côtoient des offres indexées, dont le tarif "
            "évolue chaque mois.</p>"
            "<p>« Beaucoup de consommateurs pensent que changer de fournisseur est compliqué, ou "
            "qu’il y a un risque de coupure. C’est faux : la démarche se fait en quelques minutes, "
            "sans frais et sans intervention technique », rappelle Camille Perrot, juriste au sein "
            "de l’association.</p>"
            "<h2>Les pièges à éviter</h2>"
            "<p>Les spécialistes recommandent toutefois de ne pas se fier au seul prix d’appel. "
            "Avant de signer, plusieurs points méritent d’être vérifiés :</p>"
            "<ul>"
            "<li>le prix de l’abonnement, qui peut effacer l’avantage d’un kilowattheure moins "
            "cher pour les petits consommateurs ;</li>"
            "<li>la durée pendant laquelle le prix est garanti, et ce qui se passe à son "
            "échéance ;</li>"
            "<li>les conditions de résiliation, en particulier pour les offres présentées comme "
            "« sans engagement » ;</li>"
            "<li>l’option heures creuses, intéressante uniquement si une part importante de la "
            "consommation peut être décalée.</li></ul>"
            "<p>Les associations signalent par ailleurs de nombreux litiges liés au démarchage à "
            "domicile et par téléphone. Certains vendeurs n’hésitent pas à se présenter comme "
            "mandatés par le gestionnaire du réseau, une pratique interdite qu’il convient de "
            "signaler.</p>"
            "<h2>Sobriété et rénovation restent les meilleurs leviers</h2>"
            "<p>Thierry Gauvain, conseiller dans un espace public d’information sur la rénovation "
            "énergétique, invite toutefois à garder le sens des proportions :</p>"
            "<blockquote>"
            "<p>« Changer de contrat, c’est quelques dizaines d’euros gagnés. Isoler ses combles "
            "ou régler correctement son chauffage, c’est souvent beaucoup plus. »</p></blockquote>"
            "<p>Baisser la température d’un degré permet de réduire sensiblement la consommation "
            "de chauffage, rappelle-t-il, et un thermostat programmable bien réglé est souvent "
            "amorti en une saison. Purger les radiateurs, fermer les volets la nuit et dégivrer "
            "régulièrement le congélateur sont d’autres gestes simples et efficaces.</p>"
            "<p>Les ménages modestes peuvent enfin vérifier leur éligibilité aux aides à la "
            "rénovation et au paiement des factures d’énergie, souvent méconnues. Les associations "
            "conseillent de se rapprocher des guichets publics d’information, gratuits et "
            "indépendants des fournisseurs, avant de s’engager dans des travaux.</p>"
        ),
        "category": "economie",
        "authors": ["julien-morel"],
        "tags": ["Énergie", "Électricité", "Consommation", "Pouvoir d’achat"],
        "featured": False,
        "access": "subscribers",
        "published_days_ago": 4.5,
        "image": {
            "caption": "Un compteur électrique dans l’entrée d’un immeuble d’habitation.",
            "credit": "Illustration Newsroom",
            "alt": "Gros plan sur un compteur électrique à affichage numérique fixé à un mur.",
            "colour": "#c28f2c",
        },
        "read_more": [
            ("story", "la-bce-laisse-ses-taux-inchanges-et-temporise-face-a-une-inflation-tetue")
        ],
    },
    {
        "slug": "face-a-lerosion-les-communes-du-littoral-preparent-le-recul-de-leurs-habitations",
        "kicker": "Climat",
        "title": (
            "Face à l’érosion, les communes du littoral préparent le recul de leurs habitations"
        ),
        "lead": (
            "Sur la façade atlantique, de plus en plus de municipalités doivent planifier le "
            "déplacement de maisons, de routes et de campings menacés par l’avancée de la mer. Un "
            "chantier coûteux et douloureux."
        ),
        "body": (
            "<p>Depuis sa terrasse, Monique voyait autrefois une large bande de dunes avant la "
            "plage. Il n’en reste aujourd’hui qu’un talus de sable, rongé à chaque tempête. Sa "
            "maison, construite par ses parents dans les années 1960, fait partie de la vingtaine "
            "d’habitations que la commune de Port-Lavenne, sur la côte atlantique, envisage de "
            "racheter dans les prochaines années avant leur démolition.</p>"
            "<p>La scène se répète, à des degrés divers, sur une grande partie du littoral. Sous "
            "l’effet combiné de l’élévation du niveau de la mer et de tempêtes plus intenses, le "
            "trait de côte recule, parfois de plusieurs mètres par an sur les côtes sableuses. "
            "Nombre de communes exposées doivent désormais cartographier ce recul à l’horizon de "
            "plusieurs décennies, et en tirer les conséquences dans leurs documents "
            "d’urbanisme.</p>"
            "<h2>Déménager plutôt que bétonner</h2>"
            "<p>Longtemps, la réponse a consisté à construire des digues et des enrochements. Mais "
            "ces ouvrages coûtent cher, doivent être entretenus sans fin et déplacent souvent le "
            "problème vers les plages voisines. À Port-Lavenne, le conseil municipal a donc fait "
            "un autre choix : organiser une « recomposition spatiale » de la commune, en "
            "relocalisant progressivement les équipements les plus exposés à l’intérieur des "
            "terres. La maire, Sylvie Kerjean, l’assume :</p>"
            "<blockquote>"
            "<p>« On ne gagnera pas contre l’océan. La seule question, c’est de savoir si l’on "
            "recule de manière organisée, ou si l’on subit les tempêtes une par "
            "une. »</p></blockquote>"
            "<p>Le camping municipal sera déplacé de huit cents mètres, le poste de secours "
            "reconstruit sur pilotis, et la route côtière partiellement déviée. Sur les terrains "
            "libérés, la commune prévoit de laisser la dune se reconstituer naturellement.</p>"
            "<h2>La question sensible de l’indemnisation</h2>"
            "<p>Reste le point le plus douloureux : le sort des propriétaires. Contrairement à la "
            "submersion marine, l’érosion progressive n’ouvre pas droit aux indemnisations prévues "
            "pour les catastrophes naturelles. Les rachats se font donc au cas par cas, avec des "
            "financements publics limités. Les élus du littoral réclament la création d’un fonds "
            "dédié, alimenté de façon pérenne.</p>"
            "<p>Parmi les pistes évoquées par les associations d’élus :</p>"
            "<ul>"
            "<li>un fonds national d’adaptation du littoral, doté de crédits pluriannuels ;</li>"
            "<li>des baux de longue durée permettant d’occuper un bien jusqu’à ce que le risque "
            "devienne trop élevé ;</li>"
            "<li>un accompagnement social pour les propriétaires âgés ou modestes.</li></ul>"
            "<p>À Port-Lavenne, Monique a accepté le principe d’un rachat. « C’est dur, mais je "
            "préfère partir maintenant que de voir la maison tomber », confie-t-elle. Le conseil "
            "municipal doit voter le calendrier des premières acquisitions dans les prochains "
            "mois.</p>"
        ),
        "category": "actualite",
        "authors": ["thomas-renaud"],
        "tags": ["Climat", "Littoral", "Politique locale"],
        "featured": False,
        "access": "free",
        "published_days_ago": 5.7,
        "image": {
            "caption": "Une dune entaillée par les tempêtes sur la côte atlantique.",
            "credit": "Illustration Newsroom",
            "alt": (
                "Une falaise de sable effondrée au pied de laquelle s’étend une plage battue par "
                "les vagues."
            ),
            "colour": "#5b8fa8",
        },
        "read_more": [
            (
                "story",
                "dans-le-grand-nord-lotan-muscle-sa-surveillance-des-routes-maritimes-arctiques",
            )
        ],
    },
    {
        "slug": "dans-le-grand-nord-lotan-muscle-sa-surveillance-des-routes-maritimes-arctiques",
        "kicker": "Grand Nord",
        "title": "Dans le Grand Nord, l’Otan muscle sa surveillance des routes maritimes arctiques",
        "lead": (
            "La fonte de la banquise ouvre de nouvelles voies de navigation et aiguise les "
            "rivalités. Les pays nordiques de l’Alliance multiplient exercices et investissements "
            "pour ne pas être pris de court."
        ),
        "body": (
            "<p>Il y a encore quelques décennies, ces eaux restaient prises par les glaces une "
            "bonne partie de l’année. Aujourd’hui, des porte-conteneurs, des méthaniers et des "
            "navires de croisière s’y aventurent chaque été. Le réchauffement de l’Arctique, bien "
            "plus rapide que la moyenne mondiale selon de nombreuses études, transforme une région "
            "longtemps périphérique en zone de passage, et de rivalités.</p>"
            "<h2>Une région devenue stratégique</h2>"
            "<p>Pour l’Otan, l’enjeu est double. Il s’agit d’abord de surveiller des routes "
            "maritimes appelées à prendre de l’importance, ainsi que les infrastructures "
            "sous-marines – câbles de télécommunications, gazoducs – qui traversent le Grand Nord. "
            "Il s’agit ensuite de garder un œil sur une activité militaire croissante dans la "
            "région, où plusieurs bases ont été rouvertes ou modernisées.</p>"
            "<p>Les pays nordiques membres de l’Alliance sont en première ligne. Radars côtiers, "
            "avions de patrouille maritime, drones à longue endurance : les investissements se "
            "multiplient. Les exercices aussi, avec des manœuvres régulières dans des conditions "
            "extrêmes, où le froid met à l’épreuve les hommes comme le matériel.</p>"
            "<h2>Le froid, un adversaire à part entière</h2>"
            "<p>« Par moins trente degrés, tout devient plus lent et plus compliqué. Une batterie "
            "se vide en quelques heures, un moteur refuse de démarrer, une blessure bénigne peut "
            "devenir mortelle », explique le lieutenant-colonel Anders Nyvik, officier norvégien "
            "rencontré lors d’un exercice dans le nord du pays. Selon lui, seules quelques armées "
            "alliées disposent aujourd’hui d’unités réellement entraînées au combat en milieu "
            "arctique.</p>"
            "<blockquote>"
            "<p>« L’Arctique ne pardonne pas l’improvisation. Ce qu’on n’a pas appris en temps de "
            "paix, on ne l’apprendra pas en temps de crise. »</p></blockquote>"
            "<p>Les armées du sud de l’Europe, dont la France, envoient désormais régulièrement "
            "des détachements s’entraîner aux côtés de leurs alliés scandinaves. Un apprentissage "
            "qui passe autant par le ski et la survie que par la maîtrise des équipements.</p>"
            "<h2>Une coopération scientifique au ralenti</h2>"
            "<p>Cette militarisation inquiète une partie des scientifiques. Pendant des décennies, "
            "l’Arctique a été un espace de coopération relativement préservé des tensions "
            "internationales. Cette coopération s’est fortement ralentie, ce qui complique le "
            "suivi du climat et des écosystèmes dans une région pourtant essentielle pour "
            "comprendre le réchauffement.</p>"
            "<p>« Nous avons perdu l’accès à des séries de données précieuses. Or le climat, lui, "
            "ne connaît pas les frontières », regrette Ingrid Lunde, glaciologue dans une "
            "université nordique. Entre impératifs de sécurité et nécessité scientifique, "
            "l’équilibre reste à trouver, et les diplomates de la région reconnaissent qu’il "
            "faudra du temps pour rétablir la confiance.</p>"
        ),
        "category": "monde",
        "authors": ["claire-vasseur"],
        "tags": ["Otan", "Arctique", "Défense", "Climat"],
        "featured": False,
        "access": "free",
        "published_days_ago": 6.4,
        "image": {
            "caption": "Un navire de patrouille au milieu des glaces dérivantes.",
            "credit": "Illustration Newsroom",
            "alt": "Un bateau gris naviguant entre des plaques de glace sous un ciel bas.",
            "colour": "#9fb8c8",
        },
        "read_more": [
            ("story", "lotan-craint-que-leffort-de-defense-des-europeens-ne-sessouffle"),
            (
                "story",
                "face-a-lerosion-les-communes-du-littoral-preparent-le-recul-de-leurs-habitations",
            ),
        ],
    },
    {
        "slug": "ia-bruxelles-precise-les-obligations-des-concepteurs-de-grands-modeles",
        "kicker": "Numérique",
        "title": "IA : Bruxelles précise les obligations des concepteurs de grands modèles",
        "lead": (
            "La Commission a publié des lignes directrices destinées aux entreprises qui "
            "développent des modèles d’IA à usage général. Transparence, droit d’auteur et "
            "sécurité sont au menu."
        ),
        "body": (
            "<p>Après l’adoption du règlement européen sur l’intelligence artificielle, place à la "
            "mise en œuvre. La Commission a publié cette semaine un document d’orientation destiné "
            "aux entreprises qui conçoivent des modèles d’IA dits « à usage général », ces "
            "systèmes capables de rédiger des textes, de produire des images ou d’écrire du code, "
            "et sur lesquels s’appuient de nombreuses applications.</p>"
            "<h2>Transparence et droit d’auteur</h2>"
            "<p>Le texte détaille ce que les fournisseurs devront documenter. Parmi les "
            "principales exigences :</p>"
            "<ul>"
            "<li>une documentation technique décrivant les capacités et les limites du modèle, à "
            "destination des entreprises qui l’intègrent dans leurs produits ;</li>"
            "<li>un résumé suffisamment détaillé des données utilisées pour l’entraînement ;</li>"
            "<li>une politique de respect du droit d’auteur, incluant la prise en compte des refus "
            "exprimés par les ayants droit ;</li>"
            "<li>pour les modèles les plus puissants, des évaluations des risques et le "
            "signalement des incidents graves.</li></ul>"
            "<p>Le volet consacré au droit d’auteur était le plus attendu. Éditeurs de presse, "
            "maisons de disques et sociétés d’auteurs réclament depuis longtemps de pouvoir savoir "
            "si leurs œuvres ont servi à entraîner les modèles. « C’est un premier pas, mais un "
            "résumé ne vaut pas une liste. Sans détails, il sera très difficile de faire valoir "
            "nos droits », estime Laurence Dubreuil, directrice juridique d’un groupe "
            "d’édition.</p>"
            "<h2>Les jeunes pousses redoutent la complexité</h2>"
            "<p>Du côté des développeurs, l’accueil est mitigé. Les grands groupes, dotés "
            "d’équipes juridiques étoffées, devraient s’adapter sans difficulté majeure. Les "
            "jeunes pousses européennes, elles, craignent que ces obligations pèsent davantage sur "
            "elles que sur leurs concurrents. Antoine Ribaud, cofondateur d’une start-up "
            "parisienne spécialisée dans les modèles de langage, résume cette inquiétude :</p>"
            "<blockquote>"
            "<p>« Nous n’avons rien contre la transparence. Mais chaque semaine passée à remplir "
            "des formulaires est une semaine de moins pour développer notre "
            "produit. »</p></blockquote>"
            "<p>La Commission assure avoir tenu compte de cette préoccupation, en prévoyant des "
            "modalités allégées pour les petites entreprises et pour les modèles publiés sous "
            "licence libre, à condition qu’ils ne présentent pas de risque systémique.</p>"
            "<h2>Un calendrier serré</h2>"
            "<p>Les fournisseurs disposeront d’une période de transition pour se mettre en "
            "conformité, mais le bureau européen chargé de superviser ces modèles entend engager "
            "rapidement un dialogue avec les principaux acteurs du secteur. Les sanctions prévues "
            "par le règlement peuvent atteindre plusieurs pour cent du chiffre d’affaires mondial "
            "des entreprises concernées.</p>"
            "<p>Pour les associations de défense des libertés numériques, l’essentiel se jouera "
            "dans l’application. « Un texte ambitieux ne sert à rien si l’autorité chargée de le "
            "faire respecter n’a ni les moyens ni la volonté de sanctionner », prévient l’une "
            "d’elles, qui promet de suivre de près les premiers contrôles.</p>"
        ),
        "category": "europe",
        "authors": ["julien-morel", "claire-vasseur"],
        "tags": ["Intelligence artificielle", "Numérique", "Union européenne", "Régulation"],
        "featured": False,
        "access": "subscribers",
        "published_days_ago": 7.8,
        "image": {
            "caption": "Une salle de serveurs dans un centre de données européen.",
            "credit": "Illustration Newsroom",
            "alt": "Une allée bordée d’armoires informatiques aux voyants lumineux bleus.",
            "colour": "#3b2f6b",
        },
        "read_more": [
            ("story", "munitions-la-commission-europeenne-veut-accelerer-les-achats-groupes"),
            (
                "url",
                "https://example.com/en/brussels-spells-out-obligations-for-ai-model-makers",
                "Lire aussi l’édition anglaise",
            ),
        ],
    },
    {
        "slug": "a-montclair-un-siecle-daffiches-de-cinema-sort-des-reserves-du-musee",
        "kicker": "Exposition",
        "title": "À Montclair, un siècle d’affiches de cinéma sort des réserves du musée",
        "lead": (
            "Le musée des Beaux-Arts de Montclair-sur-Loire expose près de deux cents affiches, "
            "des films muets aux superproductions récentes. Une plongée dans l’histoire du "
            "graphisme et de la publicité."
        ),
        "body": (
            "<p>Elles ont longtemps dormi dans des tiroirs plats, à l’abri de la lumière. Près de "
            "deux cents affiches de cinéma, issues pour l’essentiel du legs d’un ancien exploitant "
            "de salles de la région, sont exposées pendant plusieurs mois au musée des Beaux-Arts "
            "de Montclair-sur-Loire. Un ensemble rare, qui raconte un siècle de cinéma à travers "
            "l’art souvent méconnu des affichistes.</p>"
            "<h2>Le legs d’un exploitant passionné</h2>"
            "<p>Tout part d’un homme, Georges Vial, qui a dirigé pendant plus de quarante ans le "
            "cinéma Le Rex, dans le centre-ville. À chaque changement de programme, il conservait "
            "un exemplaire de l’affiche, parfois deux. À sa mort, sa famille a fait don de "
            "l’ensemble au musée : plus de trois mille pièces, dont une partie restait à "
            "inventorier.</p>"
            "<p>« Quand nous avons ouvert les premiers cartons, nous avons compris que nous avions "
            "entre les mains une histoire du cinéma vue depuis une ville de province », raconte "
            "Élodie Sarrazin, conservatrice et commissaire de l’exposition. Le travail de "
            "restauration a duré près de deux ans.</p>"
            "<h2>Du muet à l’ère numérique</h2>"
            "<p>Le parcours, chronologique, s’ouvre sur les affiches lithographiées des années "
            "1920, aux couleurs vives et aux typographies foisonnantes. Il se poursuit avec l’âge "
            "d’or des affichistes de l’après-guerre, qui peignaient à la main des compositions "
            "spectaculaires, souvent plus audacieuses que les films eux-mêmes. La commissaire "
            "insiste sur ce savoir-faire disparu :</p>"
            "<blockquote>"
            "<p>« L’affiche devait donner envie en une seconde, depuis le trottoir d’en face. "
            "C’était un art de la séduction immédiate, et certains peintres y ont mis un talent "
            "extraordinaire. »</p></blockquote>"
            "<p>Les dernières salles montrent l’arrivée de la photographie, puis du graphisme "
            "numérique, et interrogent l’uniformisation des affiches contemporaines, souvent "
            "déclinées à l’identique dans tous les pays. Une section est consacrée aux versions "
            "étrangères d’un même film, dont les différences en disent long sur les publics "
            "visés.</p>"
            "<h2>Des ateliers pour tous les âges</h2>"
            "<p>Le musée a conçu un programme de médiation ambitieux : ateliers de sérigraphie "
            "pour les enfants, projections de films restaurés en partenariat avec le cinéma "
            "municipal, et rencontres avec des graphistes. Un espace permet aussi aux visiteurs de "
            "composer leur propre affiche sur écran tactile, avant de l’imprimer en petit format. "
            "Des visites commentées sont proposées chaque week-end, ainsi qu’une visite en "
            "audiodescription pour les publics malvoyants, une première pour le musée.</p>"
            "<p>Pour la municipalité, qui a financé la restauration, l’exposition est aussi un "
            "pari sur l’attractivité du centre-ville. Le musée espère dépasser les trente mille "
            "visiteurs, ce qui constituerait un record pour un établissement de cette taille.</p>"
        ),
        "category": "culture",
        "authors": ["lea-marchand"],
        "tags": ["Exposition", "Cinéma", "Patrimoine", "Montclair-sur-Loire"],
        "featured": False,
        "access": "free",
        "published_days_ago": 8.9,
        "image": {
            "caption": "Des affiches restaurées accrochées dans une salle du musée.",
            "credit": "Illustration Newsroom",
            "alt": "Un mur de musée couvert d’affiches de cinéma colorées de différentes époques.",
            "colour": "#b5542d",
        },
        "read_more": [
            ("story", "festival-de-saint-aubin-les-heures-claires-remporte-le-grand-prix-du-jury"),
            ("story", "a-montclair-sur-loire-le-projet-de-tramway-fracture-la-majorite-municipale"),
        ],
    },
    {
        "slug": "rugby-amateur-les-petits-clubs-asphyxies-par-la-flambee-des-frais-de-deplacement",
        "kicker": "Rugby",
        "title": (
            "Rugby amateur : les petits clubs asphyxiés par la flambée des frais de déplacement"
        ),
        "lead": (
            "Carburant, location de cars, repas : le coût des matchs à l’extérieur pèse de plus en "
            "plus lourd dans le budget des clubs de village. Certains envisagent de renoncer à la "
            "compétition."
        ),
        "body": (
            "<p>Chaque dimanche de match à l’extérieur, c’est le même casse-tête pour Jean-Luc "
            "Bertrand. Le président de l’Union sportive de Saint-Prix-en-Comminges, un club de "
            "rugby évoluant en division régionale, doit trouver un car, un chauffeur, et de quoi "
            "nourrir une quarantaine de joueurs et de dirigeants. « Un déplacement à deux cents "
            "kilomètres, aujourd’hui, c’est plus de 1 500 euros. Nous en avons une dizaine par "
            "saison », calcule-t-il.</p>"
            "<h2>Un budget sous tension</h2>"
            "<p>Pour un club dont le budget annuel dépasse à peine 80 000 euros, la facture est "
            "lourde. Ces dernières saisons, le prix de la location des cars a fortement augmenté, "
            "sous l’effet du coût du carburant et de la pénurie de conducteurs. Les repas, "
            "l’entretien des terrains et l’éclairage des stades ont suivi la même pente.</p>"
            "<p>Dans le même temps, les recettes stagnent. Les subventions municipales sont "
            "contraintes par les budgets serrés des petites communes, et les partenaires locaux – "
            "artisans, commerçants, agriculteurs – ont eux aussi vu leurs charges augmenter. Le "
            "président ne cache pas sa lassitude :</p>"
            "<blockquote>"
            "<p>« On nous demande d’être un lien social, de former les jeunes, d’animer le "
            "village. Mais avec quoi ? Les bénévoles s’épuisent à organiser des lotos et des "
            "vide-greniers pour payer les cars. »</p></blockquote>"
            "<h2>Covoiturage et poules géographiques</h2>"
            "<p>Les clubs rivalisent d’ingéniosité pour limiter la casse. Certains organisent le "
            "covoiturage entre joueurs, au risque de multiplier les trajets individuels sur des "
            "routes de montagne. D’autres partagent un car avec un club voisin lorsqu’ils jouent "
            "dans la même ville le même jour. Certains joueurs, étudiants ou jeunes salariés, "
            "renoncent même à se déplacer faute de pouvoir se libérer, ce qui oblige les "
            "entraîneurs à composer avec des effectifs réduits.</p>"
            "<p>Les dirigeants réclament surtout une réforme des compétitions. Leurs principales "
            "demandes :</p>"
            "<ul>"
            "<li>des poules plus resserrées géographiquement, quitte à réduire le nombre de "
            "matchs ;</li>"
            "<li>une aide spécifique aux déplacements pour les clubs ruraux ;</li>"
            "<li>un allègement des frais d’engagement et de licence pour les équipes de "
            "jeunes.</li></ul>"
            "<h2>La crainte des forfaits</h2>"
            "<p>Au sein de la ligue régionale, on assure être conscient du problème et étudier un "
            "redécoupage des poules pour la saison prochaine. Mais le temps presse : plusieurs "
            "clubs ont déjà déclaré forfait pour des déplacements lointains cette saison, et "
            "certains envisagent de se retirer du championnat.</p>"
            "<p>« Si les petits clubs disparaissent, c’est tout le rugby qui perd ses racines », "
            "prévient Jean-Luc Bertrand. À Saint-Prix, on veut encore y croire : le prochain loto "
            "du club affiche déjà complet, et les joueurs ont promis de servir eux-mêmes à la "
            "buvette.</p>"
        ),
        "category": "sport",
        "authors": ["thomas-renaud"],
        "tags": ["Rugby", "Sport", "Sport amateur", "Politique locale"],
        "featured": False,
        "access": "free",
        "published_days_ago": 9.5,
        "image": {
            "caption": "Un terrain de rugby de village au pied des montagnes.",
            "credit": "Illustration Newsroom",
            "alt": (
                "Des poteaux de rugby sur une pelouse verte, avec des montagnes enneigées en "
                "arrière-plan."
            ),
            "colour": "#3d6b45",
        },
        "read_more": [],
    },
    {
        "slug": "eolien-en-mer-la-filiere-cherche-des-milliers-de-techniciens-dici-a-trois-ans",
        "kicker": "Emploi",
        "title": "Éolien en mer : la filière cherche des milliers de techniciens d’ici à trois ans",
        "lead": (
            "Avec la multiplication des parcs au large des côtes françaises, les industriels "
            "peinent à recruter. Centres de formation et régions littorales se mobilisent."
        ),
        "body": (
            "<p>Sur le quai, les pales attendent d’être chargées, alignées comme d’immenses plumes "
            "blanches. Dans le port de Saint-Valéry-des-Flots, où une usine d’assemblage tourne "
            "désormais à plein régime, la question n’est plus de trouver des commandes, mais des "
            "bras. L’éolien en mer, longtemps en retard en France par rapport aux pays du nord de "
            "l’Europe, change d’échelle, et la filière peine à suivre sur le plan des "
            "compétences.</p>"
            "<h2>Des métiers en tension</h2>"
            "<p>Techniciens de maintenance, soudeurs qualifiés, électriciens haute tension, marins "
            "spécialisés : les besoins se comptent en milliers de postes d’ici à trois ans, selon "
            "les estimations des professionnels du secteur. Beaucoup de ces emplois sont situés "
            "dans des bassins littoraux où le marché du travail est déjà tendu, notamment en "
            "raison de la concurrence du tourisme et de la construction navale.</p>"
            "<p>« Nous recrutons toute l’année, et nous pourrions embaucher deux fois plus si nous "
            "trouvions les profils », reconnaît Olivier Le Gall, directeur des ressources humaines "
            "d’un sous-traitant spécialisé dans la maintenance des parcs en mer. L’entreprise a "
            "doublé ses effectifs en quelques années.</p>"
            "<h2>Former vite, et former bien</h2>"
            "<p>Pour répondre à la demande, les centres de formation multiplient les cursus "
            "courts. Au lycée professionnel maritime de la ville, une formation de technicien de "
            "maintenance éolienne accueille désormais des adultes en reconversion, venus de "
            "l’industrie, de l’armée ou de la pêche. Responsable de la formation, Sandrine Quéré "
            "décrit un public très motivé :</p>"
            "<blockquote>"
            "<p>« Le métier est exigeant : on travaille en hauteur, en mer, parfois par mauvais "
            "temps. Mais les salaires sont attractifs et les perspectives sont réelles sur vingt "
            "ou trente ans. »</p></blockquote>"
            "<p>Les stagiaires passent par des modules obligatoires de sécurité, de survie en mer "
            "et de travail en hauteur, avant d’apprendre à intervenir sur les nacelles, à plus de "
            "cent mètres au-dessus des flots.</p>"
            "<h2>Les régions en première ligne</h2>"
            "<p>Les régions littorales ont fait de la filière une priorité. Leurs actions prennent "
            "plusieurs formes :</p>"
            "<ul>"
            "<li>le financement de places de formation supplémentaires et de plateaux "
            "techniques ;</li>"
            "<li>des aides au logement pour les apprentis et les salariés en mobilité ;</li>"
            "<li>des campagnes de découverte des métiers dans les collèges et les lycées.</li></ul>"
            "<p>Reste un défi de taille : attirer davantage de femmes dans un secteur encore très "
            "masculin. Les entreprises multiplient les journées portes ouvertes et les témoignages "
            "de techniciennes. « Il n’y a rien dans ce métier qu’une femme ne puisse pas faire », "
            "insiste Sandrine Quéré. La prochaine session de formation affiche déjà complet.</p>"
        ),
        "category": "economie",
        "authors": ["julien-morel"],
        "tags": ["Énergie", "Emploi", "Industrie"],
        "featured": False,
        "access": "free",
        "published_days_ago": -1.0,
        "image": {
            "caption": "Des pales d’éoliennes en attente de chargement sur un quai portuaire.",
            "credit": "Illustration Newsroom",
            "alt": "D’immenses pales blanches alignées sur un quai, avec une grue en arrière-plan.",
            "colour": "#4f7f9a",
        },
        "read_more": [
            ("story", "electricite-les-menages-invites-a-comparer-leurs-contrats-avant-lhiver")
        ],
    },
]

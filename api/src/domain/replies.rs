//! The builtin engine's fixed replies, in every language of `Lang`.
//!
//! A reply is a template with named placeholders (`{number}`, `{email}`, …) filled by
//! `say`; `{Topic}` is `{topic}` with its first letter capitalised (a sentence that opens
//! with it). Every language has every text with the same placeholders (a test checks).
//! German uses "Sie", French "vous", Spanish "usted", Portuguese is Brazilian ("você"),
//! Dutch "je", as support chats in those languages do.

use crate::domain::email::EmailError;
use crate::domain::locale::Lang;

/// One fixed text; `table` gives it in en, de, fr, es, pt, nl.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    AnythingElse,
    YoureWelcome,
    YoureWelcomeOnTicket,
    Goodbye,
    Hi,
    HiAgain,
    HiAgainOnTicket,
    Alright,
    NotUnderstood,
    AddedToTicket,
    Reopened,
    Created,
    FromArticle,
    ReadArticle,
    LeadCannotTopic,
    LeadCannot,
    LeadJudgmentTopic,
    LeadJudgment,
    LeadForeignLanguage,
    LeadAskForHuman,
    LeadSentFile,
    LeadNotHelpful,
    LeadUnanswered,
    CannotTopic,
    CannotQuestion,
    CannotOther,
    TroubleRetry,
    TroubleLead,
    OfferKnownEmail,
    OfferAskEmail,
    Declined,
    InvalidEmail,
    AskEmailAfterYes,
    AskEmailAfterSmallTalk,
    AskEmailAfterDetail,
    StillWantTicket,
    AskEmailOrSkip,
    GaveUp,
    EmailEmpty,
    EmailTooLong,
    EmailMissingAt,
    EmailBadLocalPart,
    EmailBadDomain,
}

impl Text {
    pub const ALL: [Text; 43] = [
        Text::AnythingElse,
        Text::YoureWelcome,
        Text::YoureWelcomeOnTicket,
        Text::Goodbye,
        Text::Hi,
        Text::HiAgain,
        Text::HiAgainOnTicket,
        Text::Alright,
        Text::NotUnderstood,
        Text::AddedToTicket,
        Text::Reopened,
        Text::Created,
        Text::FromArticle,
        Text::ReadArticle,
        Text::LeadCannotTopic,
        Text::LeadCannot,
        Text::LeadJudgmentTopic,
        Text::LeadJudgment,
        Text::LeadForeignLanguage,
        Text::LeadAskForHuman,
        Text::LeadSentFile,
        Text::LeadNotHelpful,
        Text::LeadUnanswered,
        Text::CannotTopic,
        Text::CannotQuestion,
        Text::CannotOther,
        Text::TroubleRetry,
        Text::TroubleLead,
        Text::OfferKnownEmail,
        Text::OfferAskEmail,
        Text::Declined,
        Text::InvalidEmail,
        Text::AskEmailAfterYes,
        Text::AskEmailAfterSmallTalk,
        Text::AskEmailAfterDetail,
        Text::StillWantTicket,
        Text::AskEmailOrSkip,
        Text::GaveUp,
        Text::EmailEmpty,
        Text::EmailTooLong,
        Text::EmailMissingAt,
        Text::EmailBadLocalPart,
        Text::EmailBadDomain,
    ];

    /// The text in en, de, fr, es, pt, nl (the order of `Lang`).
    fn table(self) -> [&'static str; 6] {
        match self {
            Text::AnythingElse => [
                "Is there anything else I can help with?",
                "Kann ich Ihnen sonst noch helfen?",
                "Puis-je vous aider avec autre chose\u{a0}?",
                "¿Puedo ayudarle en algo más?",
                "Posso ajudar com mais alguma coisa?",
                "Kan ik je nog ergens anders mee helpen?",
            ],
            Text::YoureWelcome => [
                "You're welcome!",
                "Gern geschehen!",
                "Avec plaisir\u{a0}!",
                "¡De nada!",
                "De nada!",
                "Graag gedaan!",
            ],
            Text::YoureWelcomeOnTicket => [
                "You're welcome! Our team will reply here on ticket {number}.",
                "Gern geschehen! Unser Team antwortet Ihnen hier zum Ticket {number}.",
                "Avec plaisir\u{a0}! Notre équipe vous répondra ici sur le ticket {number}.",
                "¡De nada! Nuestro equipo le responderá aquí en el ticket {number}.",
                "De nada! Nossa equipe vai responder aqui no ticket {number}.",
                "Graag gedaan! Ons team reageert hier op ticket {number}.",
            ],
            Text::Goodbye => [
                "Thanks for stopping by. Have a great day!",
                "Danke für Ihren Besuch. Einen schönen Tag noch!",
                "Merci de votre visite. Bonne journée\u{a0}!",
                "Gracias por su visita. ¡Que tenga un buen día!",
                "Obrigado pela visita. Tenha um ótimo dia!",
                "Bedankt voor je bezoek. Nog een fijne dag!",
            ],
            Text::Hi => [
                "Hi! How can I help you today?",
                "Hallo! Wie kann ich Ihnen heute helfen?",
                "Bonjour\u{a0}! Comment puis-je vous aider aujourd'hui\u{a0}?",
                "¡Hola! ¿En qué puedo ayudarle hoy?",
                "Olá! Como posso ajudar hoje?",
                "Hallo! Waarmee kan ik je vandaag helpen?",
            ],
            Text::HiAgain => [
                "Hi again! How can I help you today?",
                "Hallo noch mal! Wie kann ich Ihnen heute helfen?",
                "Re-bonjour\u{a0}! Comment puis-je vous aider aujourd'hui\u{a0}?",
                "¡Hola de nuevo! ¿En qué puedo ayudarle hoy?",
                "Olá de novo! Como posso ajudar hoje?",
                "Hallo weer! Waarmee kan ik je vandaag helpen?",
            ],
            Text::HiAgainOnTicket => [
                "Hi again! Our team is on your ticket {number} and will reply here.",
                "Hallo noch mal! Unser Team kümmert sich um Ihr Ticket {number} und antwortet Ihnen hier.",
                "Re-bonjour\u{a0}! Notre équipe s'occupe de votre ticket {number} et vous répondra ici.",
                "¡Hola de nuevo! Nuestro equipo está con su ticket {number} y le responderá aquí.",
                "Olá de novo! Nossa equipe está cuidando do seu ticket {number} e vai responder aqui.",
                "Hallo weer! Ons team werkt aan je ticket {number} en reageert hier.",
            ],
            Text::Alright => [
                "Alright!",
                "Alles klar!",
                "Très bien\u{a0}!",
                "¡De acuerdo!",
                "Certo!",
                "Prima!",
            ],
            Text::NotUnderstood => [
                "I'm not sure I understood.",
                "Ich bin nicht sicher, ob ich Sie richtig verstanden habe.",
                "Je ne suis pas sûr d'avoir bien compris.",
                "No estoy seguro de haberle entendido.",
                "Não tenho certeza se entendi.",
                "Ik weet niet zeker of ik je goed begrijp.",
            ],
            Text::AddedToTicket => [
                "Thanks, I've added this to your ticket {number}. Our team will reply here.",
                "Danke, ich habe das zu Ihrem Ticket {number} hinzugefügt. Unser Team antwortet Ihnen hier.",
                "Merci, je l'ai ajouté à votre ticket {number}. Notre équipe vous répondra ici.",
                "Gracias, lo he añadido a su ticket {number}. Nuestro equipo le responderá aquí.",
                "Obrigado, adicionei isso ao seu ticket {number}. Nossa equipe vai responder aqui.",
                "Bedankt, ik heb dit aan je ticket {number} toegevoegd. Ons team reageert hier.",
            ],
            Text::Reopened => [
                "I've reopened your ticket {number} with this message. Our team will get back to you here.",
                "Ich habe Ihr Ticket {number} mit dieser Nachricht wieder geöffnet. Unser Team meldet sich hier bei Ihnen.",
                "J'ai rouvert votre ticket {number} avec ce message. Notre équipe reviendra vers vous ici.",
                "He reabierto su ticket {number} con este mensaje. Nuestro equipo le responderá aquí.",
                "Reabri seu ticket {number} com esta mensagem. Nossa equipe vai retornar aqui.",
                "Ik heb je ticket {number} met dit bericht heropend. Ons team komt hier bij je terug.",
            ],
            Text::Created => [
                "Done! I've created ticket {number} for you. Our team will reply to {email}, and you'll also see their answer right here.",
                "Erledigt! Ich habe das Ticket {number} für Sie erstellt. Unser Team antwortet an {email}, und Sie sehen die Antwort auch direkt hier.",
                "C'est fait\u{a0}! J'ai créé le ticket {number} pour vous. Notre équipe répondra à {email}, et vous verrez aussi sa réponse ici.",
                "¡Listo! He creado el ticket {number} para usted. Nuestro equipo responderá a {email}, y también verá la respuesta aquí mismo.",
                "Pronto! Criei o ticket {number} para você. Nossa equipe vai responder para {email}, e você também verá a resposta aqui mesmo.",
                "Klaar! Ik heb ticket {number} voor je aangemaakt. Ons team antwoordt op {email}, en je ziet het antwoord ook hier.",
            ],
            Text::FromArticle => [
                "From our article \u{201c}{title}\u{201d}: {excerpt}",
                "Aus unserem Artikel \u{201e}{title}\u{201c}: {excerpt}",
                "D'après notre article «\u{a0}{title}\u{a0}»\u{a0}: {excerpt}",
                "Según nuestro artículo «{title}»: {excerpt}",
                "Do nosso artigo \u{201c}{title}\u{201d}: {excerpt}",
                "Uit ons artikel \u{2018}{title}\u{2019}: {excerpt}",
            ],
            Text::ReadArticle => [
                "Read the article: {url}",
                "Zum Artikel: {url}",
                "Lire l'article\u{a0}: {url}",
                "Leer el artículo: {url}",
                "Leia o artigo: {url}",
                "Lees het artikel: {url}",
            ],
            Text::LeadCannotTopic => [
                "I'm not able to {topic} from this chat, but our team can.",
                "{Topic} kann ich hier im Chat leider nicht, unser Team aber schon.",
                "Je ne peux pas {topic} depuis ce chat, mais notre équipe le peut.",
                "No puedo {topic} desde este chat, pero nuestro equipo sí.",
                "Não consigo {topic} por este chat, mas nossa equipe consegue.",
                "{Topic} kan ik via deze chat helaas niet, maar ons team wel.",
            ],
            Text::LeadCannot => [
                "That's something our team needs to do for you.",
                "Das muss unser Team für Sie erledigen.",
                "C'est quelque chose que notre équipe doit faire pour vous.",
                "Eso lo tiene que hacer nuestro equipo por usted.",
                "Isso é algo que nossa equipe precisa fazer para você.",
                "Dat moet ons team voor je regelen.",
            ],
            Text::LeadJudgmentTopic => [
                "Sorry about that. {Topic} needs a closer look from our team.",
                "Das tut mir leid. {Topic} sollte sich unser Team genauer ansehen.",
                "Désolé pour ce souci. {Topic} mérite un examen attentif de notre équipe.",
                "Lo siento. {Topic} requiere una revisión más detallada por parte de nuestro equipo.",
                "Sinto muito. {Topic} precisa de uma análise mais cuidadosa da nossa equipe.",
                "Vervelend om te horen. {Topic} moet ons team even goed bekijken.",
            ],
            Text::LeadJudgment => [
                "Sorry about that. This needs a closer look from our team.",
                "Das tut mir leid. Das sollte sich unser Team genauer ansehen.",
                "Désolé pour ce souci. Cela mérite un examen attentif de notre équipe.",
                "Lo siento. Esto requiere una revisión más detallada por parte de nuestro equipo.",
                "Sinto muito. Isso precisa de uma análise mais cuidadosa da nossa equipe.",
                "Vervelend om te horen. Dit moet ons team even goed bekijken.",
            ],
            Text::LeadForeignLanguage => [
                "I can only answer in English here, but our team can help you in your language.",
                "Ihre Frage kann ich auf Deutsch leider nicht beantworten, aber unser Team hilft Ihnen gern in Ihrer Sprache weiter.",
                "Je ne peux pas répondre à votre question en français, mais notre équipe peut vous aider dans votre langue.",
                "No puedo responder a su pregunta en español, pero nuestro equipo puede ayudarle en su idioma.",
                "Não consigo responder à sua pergunta em português, mas nossa equipe pode ajudar no seu idioma.",
                "Je vraag kan ik helaas niet in het Nederlands beantwoorden, maar ons team helpt je graag in je eigen taal.",
            ],
            Text::LeadAskForHuman => [
                "Of course, I can pass this on to our team.",
                "Natürlich, ich gebe das gern an unser Team weiter.",
                "Bien sûr, je peux transmettre cela à notre équipe.",
                "Por supuesto, puedo pasarle esto a nuestro equipo.",
                "Claro, posso passar isso para nossa equipe.",
                "Natuurlijk, ik geef dit graag door aan ons team.",
            ],
            Text::LeadSentFile => [
                "Thanks for the file. I can't open files in this chat, but our team can take a look.",
                "Danke für die Datei. Dateien kann ich hier im Chat nicht öffnen, aber unser Team sieht sie sich gern an.",
                "Merci pour le fichier. Je ne peux pas ouvrir de fichiers dans ce chat, mais notre équipe peut y jeter un œil.",
                "Gracias por el archivo. No puedo abrir archivos en este chat, pero nuestro equipo puede revisarlo.",
                "Obrigado pelo arquivo. Não consigo abrir arquivos neste chat, mas nossa equipe pode dar uma olhada.",
                "Bedankt voor het bestand. Bestanden kan ik in deze chat niet openen, maar ons team kan ernaar kijken.",
            ],
            Text::LeadNotHelpful => [
                "Sorry I couldn't help with that. Our team can take a closer look.",
                "Schade, dass ich Ihnen dabei nicht helfen konnte. Unser Team kann sich das genauer ansehen.",
                "Désolé de ne pas avoir pu vous aider. Notre équipe peut regarder cela de plus près.",
                "Siento no haber podido ayudarle con eso. Nuestro equipo puede revisarlo con más detalle.",
                "Desculpe não ter conseguido ajudar com isso. Nossa equipe pode analisar com mais cuidado.",
                "Sorry dat ik je daar niet mee kon helpen. Ons team kan er beter naar kijken.",
            ],
            Text::LeadUnanswered => [
                "I couldn't find an answer to that in our help articles, but our team can help.",
                "Dazu habe ich in unseren Hilfeartikeln keine Antwort gefunden, aber unser Team kann Ihnen helfen.",
                "Je n'ai pas trouvé de réponse à cela dans nos articles d'aide, mais notre équipe peut vous aider.",
                "No he encontrado una respuesta a eso en nuestros artículos de ayuda, pero nuestro equipo puede ayudarle.",
                "Não encontrei uma resposta para isso nos nossos artigos de ajuda, mas nossa equipe pode ajudar.",
                "Ik heb daar geen antwoord op gevonden in onze helpartikelen, maar ons team kan je helpen.",
            ],
            Text::CannotTopic => [
                "I'm sorry, I'm not able to {topic} from this chat.",
                "Tut mir leid, {topic} kann ich hier im Chat nicht.",
                "Désolé, je ne peux pas {topic} depuis ce chat.",
                "Lo siento, no puedo {topic} desde este chat.",
                "Desculpe, não consigo {topic} por este chat.",
                "Sorry, {topic} kan ik via deze chat niet.",
            ],
            Text::CannotQuestion => [
                "I'm sorry, I couldn't find an answer to that in our help articles.",
                "Tut mir leid, dazu habe ich in unseren Hilfeartikeln keine Antwort gefunden.",
                "Désolé, je n'ai pas trouvé de réponse à cela dans nos articles d'aide.",
                "Lo siento, no he encontrado una respuesta a eso en nuestros artículos de ayuda.",
                "Desculpe, não encontrei uma resposta para isso nos nossos artigos de ajuda.",
                "Sorry, ik heb daar geen antwoord op gevonden in onze helpartikelen.",
            ],
            Text::CannotOther => [
                "I'm sorry, I can't help with that in this chat.",
                "Tut mir leid, dabei kann ich Ihnen hier im Chat nicht helfen.",
                "Désolé, je ne peux pas vous aider avec cela dans ce chat.",
                "Lo siento, no puedo ayudarle con eso en este chat.",
                "Desculpe, não consigo ajudar com isso neste chat.",
                "Sorry, daar kan ik je in deze chat niet mee helpen.",
            ],
            Text::TroubleRetry => [
                "Sorry, I'm having trouble answering right now. Please try again in a moment.",
                "Entschuldigung, ich kann gerade nicht antworten. Bitte versuchen Sie es gleich noch einmal.",
                "Désolé, j'ai du mal à répondre pour le moment. Veuillez réessayer dans un instant.",
                "Lo siento, ahora mismo tengo problemas para responder. Vuelva a intentarlo en un momento.",
                "Desculpe, estou com dificuldade para responder agora. Tente de novo em instantes.",
                "Sorry, ik kan op dit moment niet goed antwoorden. Probeer het zo nog eens.",
            ],
            Text::TroubleLead => [
                "Sorry, I'm having trouble answering right now, but our team can help.",
                "Entschuldigung, ich kann gerade nicht antworten, aber unser Team kann Ihnen helfen.",
                "Désolé, j'ai du mal à répondre pour le moment, mais notre équipe peut vous aider.",
                "Lo siento, ahora mismo tengo problemas para responder, pero nuestro equipo puede ayudarle.",
                "Desculpe, estou com dificuldade para responder agora, mas nossa equipe pode ajudar.",
                "Sorry, ik kan op dit moment niet goed antwoorden, maar ons team kan je helpen.",
            ],
            Text::OfferKnownEmail => [
                "{lead} Shall I open a ticket for you? They'll reply to {email}.",
                "{lead} Soll ich ein Ticket für Sie eröffnen? Die Antwort geht an {email}.",
                "{lead} Voulez-vous que j'ouvre un ticket\u{a0}? L'équipe répondra à {email}.",
                "{lead} ¿Quiere que abra un ticket? Le responderán a {email}.",
                "{lead} Quer que eu abra um ticket? A resposta vai para {email}.",
                "{lead} Zal ik een ticket voor je aanmaken? Het team antwoordt op {email}.",
            ],
            Text::OfferAskEmail => [
                "{lead} If you leave your email address, I'll open a ticket and they'll get back to you. What's your email?",
                "{lead} Wenn Sie mir Ihre E-Mail-Adresse geben, eröffne ich ein Ticket und das Team meldet sich bei Ihnen. Wie lautet Ihre E-Mail-Adresse?",
                "{lead} Si vous me laissez votre adresse e-mail, j'ouvre un ticket et l'équipe vous recontactera. Quelle est votre adresse e-mail\u{a0}?",
                "{lead} Si me deja su correo electrónico, abriré un ticket y el equipo se pondrá en contacto con usted. ¿Cuál es su correo electrónico?",
                "{lead} Se você deixar seu e-mail, eu abro um ticket e a equipe entra em contato. Qual é o seu e-mail?",
                "{lead} Als je je e-mailadres achterlaat, maak ik een ticket aan en neemt het team contact met je op. Wat is je e-mailadres?",
            ],
            Text::Declined => [
                "No problem, I won't open a ticket.",
                "Kein Problem, dann eröffne ich kein Ticket.",
                "Pas de souci, je n'ouvre pas de ticket.",
                "No hay problema, no abriré ningún ticket.",
                "Sem problemas, não vou abrir um ticket.",
                "Geen probleem, dan maak ik geen ticket aan.",
            ],
            Text::InvalidEmail => [
                "Hmm, \u{201c}{candidate}\u{201d} doesn't look like a valid email address ({problem}). Could you check it and send it again?",
                "Hm, \u{201e}{candidate}\u{201c} sieht nicht nach einer gültigen E-Mail-Adresse aus ({problem}). Könnten Sie sie prüfen und noch einmal senden?",
                "Hmm, «\u{a0}{candidate}\u{a0}» ne ressemble pas à une adresse e-mail valide ({problem}). Pouvez-vous la vérifier et la renvoyer\u{a0}?",
                "Mmm, «{candidate}» no parece un correo electrónico válido ({problem}). ¿Podría revisarlo y enviarlo de nuevo?",
                "Hmm, \u{201c}{candidate}\u{201d} não parece um e-mail válido ({problem}). Pode conferir e enviar de novo?",
                "Hm, \u{2018}{candidate}\u{2019} lijkt geen geldig e-mailadres ({problem}). Kun je het controleren en opnieuw sturen?",
            ],
            Text::AskEmailAfterYes => [
                "Great! What's your email address?",
                "Prima! Wie lautet Ihre E-Mail-Adresse?",
                "Parfait\u{a0}! Quelle est votre adresse e-mail\u{a0}?",
                "¡Perfecto! ¿Cuál es su correo electrónico?",
                "Ótimo! Qual é o seu e-mail?",
                "Top! Wat is je e-mailadres?",
            ],
            Text::AskEmailAfterSmallTalk => [
                "To open the ticket I just need your email address. What is it?",
                "Um das Ticket zu eröffnen, brauche ich nur noch Ihre E-Mail-Adresse. Wie lautet sie?",
                "Pour ouvrir le ticket, il me faut seulement votre adresse e-mail. Quelle est-elle\u{a0}?",
                "Para abrir el ticket solo necesito su correo electrónico. ¿Cuál es?",
                "Para abrir o ticket, só preciso do seu e-mail. Qual é?",
                "Om het ticket aan te maken heb ik alleen je e-mailadres nodig. Wat is het?",
            ],
            Text::AskEmailAfterDetail => [
                "I'll include that in the ticket too. I just need your email address so our team can reply. What is it?",
                "Das nehme ich mit ins Ticket auf. Ich brauche nur noch Ihre E-Mail-Adresse, damit unser Team antworten kann. Wie lautet sie?",
                "Je l'ajouterai aussi au ticket. Il me faut seulement votre adresse e-mail pour que notre équipe puisse vous répondre. Quelle est-elle\u{a0}?",
                "Lo incluiré también en el ticket. Solo necesito su correo electrónico para que nuestro equipo pueda responderle. ¿Cuál es?",
                "Vou incluir isso no ticket também. Só preciso do seu e-mail para que nossa equipe possa responder. Qual é?",
                "Dat zet ik ook in het ticket. Ik heb alleen je e-mailadres nodig zodat ons team kan antwoorden. Wat is het?",
            ],
            Text::StillWantTicket => [
                "If you'd still like a ticket, just type your email address.",
                "Wenn Sie trotzdem ein Ticket möchten, geben Sie einfach Ihre E-Mail-Adresse ein.",
                "Si vous souhaitez toujours un ticket, tapez simplement votre adresse e-mail.",
                "Si aún quiere un ticket, escriba su correo electrónico.",
                "Se ainda quiser um ticket, é só digitar seu e-mail.",
                "Wil je toch een ticket? Typ dan gewoon je e-mailadres.",
            ],
            Text::AskEmailOrSkip => [
                "To open a ticket I need your email address, so our team can reply to you. What is it? (Or say \u{201c}no thanks\u{201d} to skip.)",
                "Für ein Ticket brauche ich Ihre E-Mail-Adresse, damit unser Team Ihnen antworten kann. Wie lautet sie? (Oder schreiben Sie \u{201e}nein danke\u{201c}, um das zu überspringen.)",
                "Pour ouvrir un ticket, il me faut votre adresse e-mail afin que notre équipe puisse vous répondre. Quelle est-elle\u{a0}? (Ou écrivez «\u{a0}non merci\u{a0}» pour passer.)",
                "Para abrir un ticket necesito su correo electrónico, así nuestro equipo podrá responderle. ¿Cuál es? (O escriba «no, gracias» para omitirlo.)",
                "Para abrir um ticket, preciso do seu e-mail para que nossa equipe possa responder. Qual é? (Ou diga \u{201c}não, obrigado\u{201d} para pular.)",
                "Voor een ticket heb ik je e-mailadres nodig, zodat ons team je kan antwoorden. Wat is het? (Of zeg \u{2018}nee, bedankt\u{2019} om over te slaan.)",
            ],
            Text::GaveUp => [
                "I couldn't get a valid email address, so I haven't opened a ticket. Just ask again whenever you like.",
                "Ich habe keine gültige E-Mail-Adresse erhalten und daher kein Ticket eröffnet. Fragen Sie einfach jederzeit erneut.",
                "Je n'ai pas obtenu d'adresse e-mail valide, je n'ai donc pas ouvert de ticket. N'hésitez pas à redemander quand vous voulez.",
                "No he recibido un correo electrónico válido, así que no he abierto ningún ticket. Vuelva a pedirlo cuando quiera.",
                "Não recebi um e-mail válido, então não abri um ticket. É só pedir de novo quando quiser.",
                "Ik heb geen geldig e-mailadres gekregen, dus ik heb geen ticket aangemaakt. Vraag het gerust nog een keer wanneer je wilt.",
            ],
            Text::EmailEmpty => [
                "the email address is empty",
                "die E-Mail-Adresse ist leer",
                "l'adresse e-mail est vide",
                "el correo electrónico está vacío",
                "o e-mail está vazio",
                "het e-mailadres is leeg",
            ],
            Text::EmailTooLong => [
                "the email address is too long",
                "die E-Mail-Adresse ist zu lang",
                "l'adresse e-mail est trop longue",
                "el correo electrónico es demasiado largo",
                "o e-mail é longo demais",
                "het e-mailadres is te lang",
            ],
            Text::EmailMissingAt => [
                "an email address needs an @ sign",
                "eine E-Mail-Adresse braucht ein @-Zeichen",
                "une adresse e-mail doit contenir un @",
                "un correo electrónico necesita una @",
                "um e-mail precisa de um @",
                "een e-mailadres heeft een @ nodig",
            ],
            Text::EmailBadLocalPart => [
                "the part before the @ is not valid",
                "der Teil vor dem @ ist ungültig",
                "la partie avant le @ n'est pas valide",
                "la parte antes de la @ no es válida",
                "a parte antes do @ não é válida",
                "het deel vóór de @ is ongeldig",
            ],
            Text::EmailBadDomain => [
                "the part after the @ is not a valid domain",
                "der Teil nach dem @ ist keine gültige Domain",
                "la partie après le @ n'est pas un domaine valide",
                "la parte después de la @ no es un dominio válido",
                "a parte depois do @ não é um domínio válido",
                "het deel na de @ is geen geldig domein",
            ],
        }
    }
}

/// A text's template in a language.
pub fn template(lang: Lang, text: Text) -> &'static str {
    text.table()[lang.index()]
}

/// A text in a language with its placeholders filled (`{name}` from `args`; `{Name}` the
/// same value with its first letter capitalised).
pub fn say(lang: Lang, text: Text, args: &[(&str, &str)]) -> String {
    fill(template(lang, text), args)
}

fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        out.push_str(before);
        let Some((name, tail)) = after.split_once('}') else {
            out.push('{');
            out.push_str(after);
            return out;
        };
        let lower = name.to_lowercase();
        match args.iter().find(|(k, _)| *k == lower) {
            Some((_, value)) if name != lower => out.push_str(&capitalise(value)),
            Some((_, value)) => out.push_str(value),
            None => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// The text with a sentence after it ("You're welcome! Is there anything else…").
pub fn then_anything_else(lang: Lang, first: &str) -> String {
    format!("{first} {}", template(lang, Text::AnythingElse))
}

pub fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// How an email address is wrong, in a language.
pub fn email_problem(lang: Lang, problem: EmailError) -> &'static str {
    template(
        lang,
        match problem {
            EmailError::Empty => Text::EmailEmpty,
            EmailError::TooLong => Text::EmailTooLong,
            EmailError::MissingAt => Text::EmailMissingAt,
            EmailError::BadLocalPart => Text::EmailBadLocalPart,
            EmailError::BadDomain => Text::EmailBadDomain,
        },
    )
}

/// The opening of "I've added this to your ticket" in every language (up to the ticket's
/// number): how the flow recognises its own acknowledgements in the history.
pub fn added_to_ticket_openings() -> impl Iterator<Item = &'static str> {
    Text::AddedToTicket
        .table()
        .into_iter()
        .map(|t| t.split("{number}").next().unwrap_or(t).trim_end())
}

/// The intent rules' topics (`intent::TOPICS`) in en, de, fr, es, pt, nl: what the
/// assistant can't do ("issue refunds"), fitted to `LeadCannotTopic` and `CannotTopic`, or
/// what needs the team's judgment ("a billing problem like this"), fitted to
/// `LeadJudgmentTopic`.
const TOPICS: &[[&str; 6]] = &[
    [
        "a billing problem like this",
        "ein Abrechnungsproblem wie dieses",
        "un problème de facturation comme celui-ci",
        "un problema de facturación como este",
        "um problema de cobrança como este",
        "een factuurprobleem als dit",
    ],
    [
        "a special request like this",
        "eine besondere Anfrage wie diese",
        "une demande particulière comme celle-ci",
        "una solicitud especial como esta",
        "um pedido especial como este",
        "een speciaal verzoek als dit",
    ],
    [
        "a problem with a delivery like this",
        "ein Lieferproblem wie dieses",
        "un problème de livraison comme celui-ci",
        "un problema con una entrega como este",
        "um problema com uma entrega como este",
        "een bezorgprobleem als dit",
    ],
    [
        "a technical problem like this",
        "ein technisches Problem wie dieses",
        "un problème technique comme celui-ci",
        "un problema técnico como este",
        "um problema técnico como este",
        "een technisch probleem als dit",
    ],
    ["this", "das", "cela", "esto", "isso", "dit"],
    [
        "issue refunds",
        "Rückerstattungen veranlassen",
        "traiter les remboursements",
        "tramitar reembolsos",
        "processar reembolsos",
        "terugbetalingen regelen",
    ],
    [
        "cancel orders or subscriptions",
        "Bestellungen stornieren oder Abos kündigen",
        "annuler les commandes ou les abonnements",
        "cancelar pedidos o suscripciones",
        "cancelar pedidos ou assinaturas",
        "bestellingen of abonnementen annuleren",
    ],
    [
        "delete accounts or personal data",
        "Konten oder persönliche Daten löschen",
        "supprimer les comptes ou les données personnelles",
        "eliminar cuentas o datos personales",
        "excluir contas ou dados pessoais",
        "accounts of persoonsgegevens verwijderen",
    ],
    [
        "unlock or reset accounts",
        "Konten entsperren oder zurücksetzen",
        "débloquer ou réinitialiser les comptes",
        "desbloquear o restablecer cuentas",
        "desbloquear ou redefinir contas",
        "accounts ontgrendelen of resetten",
    ],
    [
        "change orders that were already placed",
        "bereits aufgegebene Bestellungen ändern",
        "modifier les commandes déjà passées",
        "modificar pedidos ya realizados",
        "alterar pedidos já feitos",
        "geplaatste bestellingen wijzigen",
    ],
    [
        "look up individual orders or accounts",
        "einzelne Bestellungen oder Konten nachschlagen",
        "consulter une commande ou un compte en particulier",
        "consultar pedidos o cuentas concretos",
        "consultar pedidos ou contas específicos",
        "individuele bestellingen of accounts opzoeken",
    ],
    [
        "send invoices or receipts",
        "Rechnungen oder Belege verschicken",
        "envoyer les factures ou les reçus",
        "enviar facturas o recibos",
        "enviar faturas ou recibos",
        "facturen of bonnen versturen",
    ],
    [
        "change subscriptions",
        "Abos ändern",
        "modifier les abonnements",
        "cambiar suscripciones",
        "alterar assinaturas",
        "abonnementen wijzigen",
    ],
    [
        "change account details",
        "Kontodaten ändern",
        "modifier les informations du compte",
        "cambiar los datos de la cuenta",
        "alterar dados da conta",
        "accountgegevens wijzigen",
    ],
    [
        "talk to our team",
        "mit unserem Team sprechen",
        "parler à notre équipe",
        "hablar con nuestro equipo",
        "falar com nossa equipe",
        "met ons team praten",
    ],
    [
        "more help",
        "weitere Hilfe",
        "plus d'aide",
        "más ayuda",
        "mais ajuda",
        "meer hulp",
    ],
];

/// An intent rule's topic in a language; `None` for a topic without a translation (the
/// caller then says it without the topic).
pub fn topic(lang: Lang, english: &str) -> Option<&'static str> {
    TOPICS
        .iter()
        .find(|t| t[0] == english)
        .map(|t| t[lang.index()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn placeholders(t: &str) -> BTreeSet<String> {
        t.split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(name, _)| name.to_lowercase()))
            .collect()
    }

    #[test]
    fn every_language_has_every_text_with_the_same_placeholders() {
        for text in Text::ALL {
            let en = placeholders(template(Lang::En, text));
            for lang in Lang::ALL {
                let t = template(lang, text);
                assert!(!t.trim().is_empty(), "{text:?} in {lang:?}");
                assert_eq!(placeholders(t), en, "{text:?} in {lang:?}: {t}");
            }
        }
    }

    #[test]
    fn every_rule_topic_is_translated() {
        for english in crate::domain::intent::TOPICS {
            for lang in Lang::ALL {
                assert!(topic(lang, english).is_some(), "{english} in {lang:?}");
            }
        }
        assert_eq!(topic(Lang::En, "issue refunds"), Some("issue refunds"));
    }

    #[test]
    fn placeholders_are_filled_and_capitalised_where_a_sentence_opens() {
        let de = say(
            Lang::De,
            Text::LeadCannotTopic,
            &[(
                "topic",
                topic(Lang::De, "change orders that were already placed").unwrap(),
            )],
        );
        assert!(
            de.starts_with("Bereits aufgegebene Bestellungen ändern kann ich"),
            "{de}"
        );
        assert_eq!(
            say(
                Lang::En,
                Text::Created,
                &[("number", "TKT-1"), ("email", "a@b.co")]
            ),
            "Done! I've created ticket TKT-1 for you. Our team will reply to a@b.co, and you'll also see their answer right here."
        );
        // An unknown placeholder is left as it is; braces in values are not read again.
        assert_eq!(fill("{x} {y}", &[("x", "{y}")]), "{y} {y}");
    }

    #[test]
    fn acknowledgements_are_recognised_in_every_language() {
        let openings: Vec<_> = added_to_ticket_openings().collect();
        assert_eq!(openings.len(), 6);
        assert_eq!(openings[0], "Thanks, I've added this to your ticket");
        for lang in Lang::ALL {
            let said = say(lang, Text::AddedToTicket, &[("number", "TKT-1")]);
            assert!(openings.iter().any(|o| said.starts_with(o)), "{said}");
        }
    }
}
